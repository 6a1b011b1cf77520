// Notation (Karras et al. 2022, Algorithm 2, in y = x/√ᾱ and σ = √((1−ᾱ)/ᾱ) of the VP
// schedule; σ' at the next index, σ' = 0 after the last step; n = steps):
//   (1) γ = min(S_churn/n, √2 − 1) if σ ∈ [S_tmin, S_tmax], else 0          (Alg. 2 line 4)
//   (2) σ̂ = σ(1 + γ)                                                       (line 5)
//   (3) ŷ = y + √(σ̂² − σ²)·S_noise·z                                       (line 6)
//   (4) d = ε̂(ŷ, σ̂),  y_e = ŷ + (σ' − σ̂)·d                                  (lines 7–8)
//   (5) unless σ' = 0: y' = ŷ + ½(σ' − σ̂)(d + ε̂(y_e, σ'))                  (lines 9–11)
// A discrete model is evaluated only at schedule indices, so σ̂ is snapped: the index k̂ whose
// ᾱ is closest to 1/(1 + σ̂²), and σ̂ := σ(k̂). Using the snapped σ̂ in (3) keeps ŷ exactly at
// the noise level the model sees. With churn = 0, k̂ = k exactly and (4)–(5) are pf-ode-heun.
// Noise: one draw per step whose snapped σ̂ exceeds σ.
#include "edm_heun_sampler.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

double sigmaOf(double abar) { return std::sqrt((1.0 - abar) / abar); }

} // namespace

int64_t EdmHeunSampler::nearestIndex(double sigmaHat, int64_t k) const
{
    // ᾱ decreases with the index: binary search for the first index with ᾱ ≤ target.
    const double target = 1.0 / (1.0 + sigmaHat * sigmaHat);
    int64_t lo = k, hi = schedule_->steps() - 1;
    while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        if (alphaBar(mid) > target)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > k && std::abs(alphaBar(lo - 1) - target) <= std::abs(alphaBar(lo) - target))
        return lo - 1;
    return lo;
}

StepOutput EdmHeunSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    const int64_t k = grid_[size_t(i)], kNext = nextIndex(i);
    const double abar = alphaBar(k), sigma = sigmaOf(abar);
    const bool churnHere = sigma >= options_.churnTMin && sigma <= options_.churnTMax;
    const double gamma = churnHere ? std::min(options_.churn / double(stepCount()), std::sqrt(2.0) - 1.0) : 0.0; // (1)
    const int64_t kHat = gamma > 0 ? nearestIndex(sigma * (1.0 + gamma), k) : k;                                  // (2)
    const double abarHat = alphaBar(kHat), sigmaHat = sigmaOf(abarHat);
    auto yHat = x / std::sqrt(abar);
    if (kHat != k) // (3)
        yHat = yHat + std::sqrt(sigmaHat * sigmaHat - sigma * sigma) * options_.churnNoise * noise.normal(x.sizes());

    const auto e = evaluate(denoiser, yHat * std::sqrt(abarHat), kHat); // (4)
    if (kNext < 0)
        return {e.x0, e.x0}; // Euler to σ' = 0 lands on x̂0
    const double abarNext = alphaBar(kNext), ds = sigmaOf(abarNext) - sigmaHat;
    const auto yEuler = yHat + ds * e.eps;
    const auto corrector = evaluate(denoiser, yEuler * std::sqrt(abarNext), kNext); // (5)
    const auto yNext = yHat + (0.5 * ds) * (e.eps + corrector.eps);
    return {yNext * std::sqrt(abarNext), e.x0};
}

} // namespace ds
