#include "euler_maruyama_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {

// One step back from k to k' integrates β dt over h = ln ᾱ' − ln ᾱ (> 0): with dt < 0,
//   x' = x + h (x/2 + ∇log p) + √h z = x + h (x/2 − ε̂/√(1−ᾱ)) + √h z.
double EulerMaruyamaSampler::logStep(int64_t i) const
{
    return std::log(alphaBar(nextIndex(i))) - std::log(alphaBar(grid_[size_t(i)]));
}

double EulerMaruyamaSampler::noiseScale(int64_t i) const { return nextIndex(i) < 0 ? 0.0 : std::sqrt(logStep(i)); }

Transition EulerMaruyamaSampler::transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions)
{
    const int64_t n = x.size(0) / int64_t(positions.size());
    const auto e = evaluate(denoiser, x, rowIndices(positions, n));
    const auto h = perRow(positions, n, x, [this](int64_t i) { return nextIndex(i) < 0 ? 0.0 : logStep(i); });
    const auto sigma = perRow(positions, n, x, [this](int64_t i) { return std::sqrt(1.0 - alphaBar(grid_[size_t(i)])); });
    const auto isFinal = perRow(positions, n, x, [this](int64_t i) { return double(nextIndex(i) < 0); }) > 0.5;
    const auto drift = 0.5 * x - e.eps / sigma;
    return {at::where(isFinal, e.x0, x + h * drift), e.x0};
}

} // namespace ds
