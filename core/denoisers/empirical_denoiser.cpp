#include "empirical_denoiser.h"

#include "models/error.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

constexpr int64_t kChunk = 4096; // data rows per block of the per-pixel logits

DenoiserInfo empiricalInfo(const at::Tensor& data, const ScheduleSpec& schedule, DataRange range,
                           std::string datasetName, std::string source)
{
    require(data.dim() == 4 && data.size(0) >= 1, "empirical oracle: data must be a non-empty [M, C, H, W] batch");
    DenoiserInfo info;
    info.kind = "oracle-empirical";
    info.source = std::move(source);
    info.prediction = Prediction::X0;
    info.schedule = schedule;
    info.shape = {data.size(1), data.size(2), data.size(3)};
    info.range = range;
    info.dataset = std::move(datasetName);
    info.notes = "exact posterior mean over " + std::to_string(data.size(0)) + " training images";
    return info;
}

} // namespace

EmpiricalDenoiser::EmpiricalDenoiser(const at::Tensor& data, const ScheduleSpec& schedule, DataRange range,
                                     std::string datasetName, std::string source)
    : Denoiser(empiricalInfo(data, schedule, range, std::move(datasetName), std::move(source)))
{
    data_ = data.to(at::kFloat).contiguous();
    flat_ = data_.reshape({data_.size(0), -1}).to(at::kDouble);
    sqNorms_ = flat_.square().sum(1);
    if (schedule_.perPixel())
        rates_ = schedule_.pixelRate(flat_).to(at::kDouble);
}

void EmpiricalDenoiser::to(c10::Device device)
{
    Denoiser::to(device);
    data_ = data_.to(device);
    flat_ = flat_.to(device);
    sqNorms_ = sqNorms_.to(device);
    if (rates_.defined())
        rates_ = rates_.to(device);
}

// logit_i = (2√ᾱ x·y_i − ᾱ‖y_i‖²) / (2(1−ᾱ)); the ‖x‖² term is the same for every i.
at::Tensor EmpiricalDenoiser::scalarLogits(const at::Tensor& x, const at::Tensor& k) const
{
    auto abar = schedule_.alphaBar(k).to(x.device(), at::kDouble).reshape({-1, 1}); // [N, 1]
    auto cross = at::matmul(x, flat_.t());                                          // [N, M]
    return (2.0 * at::sqrt(abar) * cross - abar * sqNorms_.unsqueeze(0)) / (2.0 * (1.0 - abar));
}

// −½ Σ_j [x_j²/v_ij − 2 x_j m_ij/v_ij + m_ij²/v_ij + ln v_ij], m = √ᾱ y, v = 1 − ᾱ, per data row.
at::Tensor EmpiricalDenoiser::pixelLogits(const at::Tensor& x, int64_t k) const
{
    std::vector<at::Tensor> blocks;
    for (int64_t start = 0; start < flat_.size(0); start += kChunk) {
        auto rows = std::min(kChunk, flat_.size(0) - start);
        auto y = flat_.narrow(0, start, rows);
        auto abar = at::exp(-rates_.narrow(0, start, rows) * double(k + 1));
        auto inv = 1.0 / (1.0 - abar);
        auto m = at::sqrt(abar) * y;
        auto constant = (m.square() * inv + at::log1p(-abar)).sum(1);            // [rows]
        auto quad = at::matmul(x.square(), inv.t()) - 2.0 * at::matmul(x, (m * inv).t());
        blocks.push_back(-0.5 * (quad + constant.unsqueeze(0)));
    }
    return at::cat(blocks, 1);
}

at::Tensor EmpiricalDenoiser::weights(const at::Tensor& xIn, const at::Tensor& k) const
{
    auto x = xIn.reshape({xIn.size(0), -1}).to(flat_.device(), at::kDouble);
    if (!schedule_.perPixel())
        return at::softmax(scalarLogits(x, k), 1);
    auto logits = at::empty({x.size(0), flat_.size(0)}, x.options());
    auto kCpu = k.to(at::kCPU, at::kLong);
    auto unique = std::get<0>(at::_unique(kCpu, /*sorted=*/true));
    for (int64_t u = 0; u < unique.numel(); ++u) {
        const int64_t step = unique[u].item<int64_t>();
        auto rows = (kCpu == step).nonzero().reshape({-1}).to(x.device());
        logits.index_copy_(0, rows, pixelLogits(x.index_select(0, rows), step));
    }
    return at::softmax(logits, 1);
}

at::Tensor EmpiricalDenoiser::forward(const at::Tensor& x, const at::Tensor& k)
{
    auto w = weights(x, k);
    return at::matmul(w, flat_).to(at::kFloat).reshape(x.sizes());
}

} // namespace ds
