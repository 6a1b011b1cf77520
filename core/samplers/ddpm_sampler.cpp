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

DdpmCoefficients DdpmSampler::coefficients(int64_t i) const
{
    return ddpmCoefficients(alphaBar(grid_[size_t(i)]), alphaBar(nextIndex(i)), options_);
}

double DdpmSampler::noiseScale(int64_t i) const { return coefficients(i).sigma; }

// 1. one network pass: ε̂, x̂0 at (x, k);  2. the posterior mean μ̃ (step() adds 3. σ z).
Transition DdpmSampler::transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions)
{
    const int64_t n = x.size(0) / int64_t(positions.size());
    const auto e = evaluate(denoiser, x, rowIndices(positions, n));
    const auto cx0 = perRow(positions, n, x, [this](int64_t i) { return coefficients(i).x0; });
    const auto cx = perRow(positions, n, x, [this](int64_t i) { return coefficients(i).x; });
    return {cx0 * e.x0 + cx * x, e.x0};
}

} // namespace ds
