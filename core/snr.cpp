#include "snr.h"

#include "models/error.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

at::Tensor asBatch(const at::Tensor& x0)
{
    require(x0.dim() == 3 || x0.dim() == 4, "expected an image [C, H, W] or a batch [N, C, H, W]");
    return x0.dim() == 3 ? x0.unsqueeze(0) : x0;
}

at::Tensor selectPixels(const at::Tensor& x0, const at::Tensor& pixels)
{
    require(!pixels.defined() || pixels.numel() > 0, "no pixels selected");
    auto flat = x0.to(at::kFloat).reshape({-1});
    return pixels.defined() ? flat.index_select(0, pixels.to(at::kLong).reshape({-1})) : flat;
}

// float64 [T, P]: ᾱ_k = exp(−r (k + 1)) per pixel, or the scalar table broadcast.
at::Tensor alphaBarTable(const Schedule& schedule, const at::Tensor& chosen)
{
    if (!schedule.perPixel())
        return schedule.alphasCumprod().unsqueeze(1).expand({schedule.steps(), chosen.numel()});
    auto steps = at::arange(1, schedule.steps() + 1, at::kDouble).unsqueeze(1);   // [T, 1]
    return at::exp(-schedule.pixelRate(chosen).to(at::kDouble).unsqueeze(0) * steps);
}

} // namespace

at::Tensor pixelSnr(const Schedule& schedule, const at::Tensor& x0, int64_t k)
{
    auto x = asBatch(x0).to(at::kFloat);
    auto xt = schedule.rescaledData(x);
    auto abar = schedule.alphaBar(k, x).to(at::kDouble);
    auto snr = xt.to(at::kDouble).square() * abar / (1.0 - abar);
    return snr.expand_as(x).reshape(x0.sizes()).to(at::kFloat);
}

at::Tensor alphaBarCurves(const Schedule& schedule, const at::Tensor& x0, const at::Tensor& pixels)
{
    return alphaBarTable(schedule, selectPixels(x0, pixels)).to(at::kFloat);
}

at::Tensor snrCurves(const Schedule& schedule, const at::Tensor& x0, const at::Tensor& pixels)
{
    auto chosen = selectPixels(x0, pixels);
    auto xt = schedule.rescaledData(chosen).to(at::kDouble);               // [P]
    auto abar = alphaBarTable(schedule, chosen);                           // [T, P]
    return (xt.square().unsqueeze(0) * abar / (1.0 - abar)).to(at::kFloat);
}

Moments forwardMoments(const Schedule& schedule, const at::Tensor& x0, int64_t k)
{
    auto x = asBatch(x0).to(at::kFloat);
    auto abar = schedule.alphaBar(k, x).expand_as(x);
    return {(at::sqrt(abar) * x).reshape(x0.sizes()), (1.0 - abar).reshape(x0.sizes())};
}

at::Tensor priorKlAt(const Schedule& schedule, const at::Tensor& x0, int64_t k)
{
    auto m = forwardMoments(schedule, x0, k);
    auto v = m.variance.to(at::kDouble).clamp_min(1e-300); // k = −1: v = 0, KL = ∞
    auto mean = m.mean.to(at::kDouble);
    return (0.5 * (v + mean.square() - 1.0 - at::log(v))).to(at::kFloat);
}

at::Tensor terminalPriorKl(const Schedule& schedule, const at::Tensor& x0)
{
    return priorKlAt(schedule, x0, schedule.steps() - 1);
}

PriorMismatch summarizePriorMismatch(const Schedule& schedule, const at::Tensor& x0)
{
    auto kl = terminalPriorKl(schedule, x0).to(at::kDouble);
    auto v = forwardMoments(schedule, x0, schedule.steps() - 1).variance;
    const double images = x0.dim() == 4 ? double(x0.size(0)) : 1.0;
    return {kl.mean().item<double>(), kl.sum().item<double>() / images,
            (v < 0.5).to(at::kDouble).mean().item<double>()};
}

} // namespace ds
