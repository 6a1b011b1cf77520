// Notation (k-diffusion get_ancestral_step; σ = √((1−ᾱ)/ᾱ), y = x/√ᾱ; σ' and ᾱ' at the next
// index, σ' = 0 and ᾱ' = 1 after the last step; η = options eta, s_noise = options churnNoise):
//   (1) σ_up = min(σ', η·√(σ'²(σ² − σ'²)/σ²)),  σ_down = √(σ'² − σ_up²)
//   (2) y' = y + (σ_down − σ)·ε̂ + s_noise·σ_up·z          (Euler to σ_down, noise up to σ')
//   (3) x' = √ᾱ'·y': mean √(ᾱ'/ᾱ)x + √ᾱ'(σ_down − σ)ε̂, noise scale √ᾱ'·s_noise·σ_up.
// σ_up² + σ_down² = σ'², so y' has the marginal variance of level σ' for any η.
#include "euler_ancestral_sampler.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

double sigmaOf(double abar) { return std::sqrt((1.0 - abar) / abar); }

} // namespace

EulerAncestralSampler::Split EulerAncestralSampler::split(int64_t i) const
{
    const double s = sigmaOf(alphaBar(grid_[size_t(i)])), sNext = sigmaOf(alphaBar(nextIndex(i)));
    Split out;
    out.up = std::min(sNext, options_.eta * std::sqrt(sNext * sNext * (s * s - sNext * sNext) / (s * s))); // (1)
    out.down = std::sqrt(std::max(0.0, sNext * sNext - out.up * out.up));
    return out;
}

Transition EulerAncestralSampler::transition(Denoiser& denoiser, const at::Tensor& x,
                                             const std::vector<int64_t>& positions)
{
    const int64_t n = x.size(0) / int64_t(positions.size());
    const auto e = evaluate(denoiser, x, rowIndices(positions, n));
    auto xScale = perRow(positions, n, x, [&](int64_t i) {
        return std::sqrt(alphaBar(nextIndex(i)) / alphaBar(grid_[size_t(i)]));
    });
    auto epsScale = perRow(positions, n, x, [&](int64_t i) { // (3)
        return std::sqrt(alphaBar(nextIndex(i))) * (split(i).down - sigmaOf(alphaBar(grid_[size_t(i)])));
    });
    return {xScale * x + epsScale * e.eps, e.x0};
}

double EulerAncestralSampler::noiseScale(int64_t i) const
{
    return std::sqrt(alphaBar(nextIndex(i))) * options_.churnNoise * split(i).up; // (3)
}

} // namespace ds
