#include "gaussian_denoiser.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {
namespace {

DenoiserInfo gaussianInfo(const at::Tensor& mean, const ScheduleSpec& schedule, DataRange range, std::string source)
{
    require(mean.dim() == 3, "gaussian oracle: mean must be [C, H, W]");
    DenoiserInfo info;
    info.kind = "oracle-gaussian";
    info.source = std::move(source);
    info.prediction = Prediction::X0;
    info.schedule = schedule;
    info.shape = {mean.size(0), mean.size(1), mean.size(2)};
    info.range = range;
    info.dataset = "gaussian";
    return info;
}

} // namespace

GaussianDenoiser::GaussianDenoiser(const at::Tensor& mean, const at::Tensor& std, const ScheduleSpec& schedule,
                                   DataRange range, std::string source)
    : Denoiser(gaussianInfo(mean, schedule, range, std::move(source)))
{
    require(std.sizes() == mean.sizes(), "gaussian oracle: std must have the shape of mean");
    require((std > 0).all().item<bool>(), "gaussian oracle: std must be > 0");
    schedule_.requireScalar("the gaussian oracle");
    mean_ = mean.to(at::kFloat).unsqueeze(0);
    std_ = std.to(at::kFloat).unsqueeze(0);
}

void GaussianDenoiser::to(c10::Device device)
{
    Denoiser::to(device);
    mean_ = mean_.to(device);
    std_ = std_.to(device);
}

GaussianDenoiser::Posterior GaussianDenoiser::posterior(const at::Tensor& x, int64_t k) const
{
    const double abar = schedule_.alphaBarAt(k);
    auto var = std_.square();
    auto denom = abar * var + (1.0 - abar);
    auto mean = mean_ + (std::sqrt(abar) * var / denom) * (x - std::sqrt(abar) * mean_);
    return {mean, (var * (1.0 - abar) / denom).expand_as(x)};
}

at::Tensor GaussianDenoiser::forward(const at::Tensor& x, const at::Tensor& k)
{
    auto abar = schedule_.alphaBar(k, x);
    auto var = std_.square();
    auto gain = at::sqrt(abar) * var / (abar * var + 1.0 - abar);
    return mean_ + gain * (x - at::sqrt(abar) * mean_);
}

} // namespace ds
