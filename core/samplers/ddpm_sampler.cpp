#include "ddpm_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {

// Notation: ᾱ = ᾱ_k, ᾱ' = ᾱ_{k'} (1 at the end), β = 1 − ᾱ/ᾱ' (the one-step β of the strided
// chain; β_t when steps = T).
DdpmCoefficients ddpmCoefficients(double abar, double abarNext, const SamplerOptions& options)
{
    const double beta = 1.0 - abar / abarNext;
    DdpmCoefficients c;
    // Posterior mean (Ho eq. 7): μ̃ = √ᾱ' β/(1−ᾱ) x̂0 + √(1−β)(1−ᾱ')/(1−ᾱ) x_t, which equals
    // (x_t − β/√(1−ᾱ) ε̂)/√α (Ho eq. 11) while x̂0 is unclipped.
    c.x0 = std::sqrt(abarNext) * beta / (1.0 - abar);
    c.x = std::sqrt(1.0 - beta) * (1.0 - abarNext) / (1.0 - abar);
    // σ² = scale² · β̃ with β̃ = (1−ᾱ')/(1−ᾱ) β, or scale² · β; none on the final step.
    const double variance = options.sigma == SigmaMode::Small ? (1.0 - abarNext) / (1.0 - abar) * beta : beta;
    c.sigma = abarNext >= 1.0 ? 0.0 : options.sigmaScale * std::sqrt(variance);
    return c;
}

StepOutput DdpmSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    const int64_t k = grid_[size_t(i)];
    const auto c = ddpmCoefficients(alphaBar(k), alphaBar(nextIndex(i)), options_);
    const auto e = evaluate(denoiser, x, k);      // 1. one network pass: ε̂, x̂0 at (x, k)
    auto mean = c.x0 * e.x0 + c.x * x;             // 2. posterior mean μ̃
    if (c.sigma == 0.0)
        return {mean, e.x0};
    return {mean + c.sigma * noise.normal(x.sizes()), e.x0}; // 3. x_{t−1} = μ̃ + σ z
}

} // namespace ds
