#include "euler_maruyama_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {

// One step back from k to k' integrates β dt over h = ln ᾱ' − ln ᾱ (> 0): with dt < 0,
//   x' = x + h (x/2 + ∇log p) + √h z = x + h (x/2 − ε̂/√(1−ᾱ)) + √h z.
StepOutput EulerMaruyamaSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    const int64_t k = grid_[size_t(i)], kNext = nextIndex(i);
    const auto e = evaluate(denoiser, x, k);
    if (kNext < 0)
        return {e.x0, e.x0};
    const double abar = alphaBar(k), abarNext = alphaBar(kNext);
    const double h = std::log(abarNext) - std::log(abar);
    auto drift = 0.5 * x - e.eps / std::sqrt(1.0 - abar);
    return {x + h * drift + std::sqrt(h) * noise.normal(x.sizes()), e.x0};
}

} // namespace ds
