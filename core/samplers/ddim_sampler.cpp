#include "ddim_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {

// Notation: k = grid[i], k' = next index (−1 at the end), ᾱ = ᾱ_k, ᾱ' = ᾱ_{k'} (1 at the end).
StepOutput DdimSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    const int64_t k = grid_[size_t(i)], kNext = nextIndex(i);
    const double abar = alphaBar(k), abarNext = alphaBar(kNext);

    // 1. One network pass: ε̂ and x̂0.
    const auto e = evaluate(denoiser, x, k);

    // 2. σ = η √((1−ᾱ')/(1−ᾱ)) √(1 − ᾱ/ᾱ')  (Song et al. eq. 16); 0 on the final step.
    const double sigma = options_.eta * std::sqrt((1.0 - abarNext) / (1.0 - abar)) * std::sqrt(1.0 - abar / abarNext);

    // 3. x' = √ᾱ' x̂0 + √(1 − ᾱ' − σ²) ε̂ + σ z  (eq. 12).
    auto next = std::sqrt(abarNext) * e.x0 + std::sqrt(std::max(0.0, 1.0 - abarNext - sigma * sigma)) * e.eps;
    if (sigma > 0.0)
        next = next + sigma * noise.normal(x.sizes());
    return {next, e.x0};
}

} // namespace ds
