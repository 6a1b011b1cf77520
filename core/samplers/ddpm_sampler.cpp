#include "ddpm_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {

// Notation at step i: k = grid[i], k' = the next index (−1 at the end), ᾱ = ᾱ_k, ᾱ' = ᾱ_{k'}
// (1 at the end), β = 1 − ᾱ/ᾱ' (the one-step β of the strided chain; β_t when steps = T).
StepOutput DdpmSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    const int64_t k = grid_[size_t(i)], kNext = nextIndex(i);
    const double abar = alphaBar(k), abarNext = alphaBar(kNext);
    const double beta = 1.0 - abar / abarNext;

    // 1. One network pass: ε̂ and x̂0 at (x, k).
    const auto e = evaluate(denoiser, x, k);

    // 2. Posterior mean (Ho eq. 7): μ̃ = √ᾱ' β/(1−ᾱ) x̂0 + √(1−β)(1−ᾱ')/(1−ᾱ) x_t,
    //    which equals (x_t − β/√(1−ᾱ) ε̂)/√α (Ho eq. 11) while x̂0 is unclipped.
    auto mean = (std::sqrt(abarNext) * beta / (1.0 - abar)) * e.x0
        + (std::sqrt(1.0 - beta) * (1.0 - abarNext) / (1.0 - abar)) * x;

    // 3. σ² = scale² · β̃ with β̃ = (1−ᾱ')/(1−ᾱ) β, or scale² · β. No noise on the final step.
    const double variance = options_.sigma == SigmaMode::Small ? (1.0 - abarNext) / (1.0 - abar) * beta : beta;
    const double sigma = options_.sigmaScale * std::sqrt(variance);
    if (kNext < 0 || sigma == 0.0)
        return {mean, e.x0};

    // 4. x_{t−1} = μ̃ + σ z.
    return {mean + sigma * noise.normal(x.sizes()), e.x0};
}

} // namespace ds
