// Notation (Karras et al. 2022, §2; the VP schedule seen through y = x/√ᾱ):
//   σ = √((1−ᾱ)/ᾱ) at index k, σ' at the next index k' (σ' = 0, ᾱ' = 1 after the last step),
//   ε̂ the model's noise estimate at (x, k); the flow is dy/dσ = ε̂  (Alg. 1, d_i = (x_i − D)/t_i).
//   (1) y' = y + (σ' − σ)·ε̂                      (Alg. 1 line 5, Euler step)
//   (2) x' = √ᾱ'·y', so x' = √(ᾱ'/ᾱ)·x + √ᾱ'(σ' − σ)·ε̂
// On the last step (1) is y − σε̂ = x̂0.
#include "euler_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {

Transition EulerSampler::transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions)
{
    const int64_t n = x.size(0) / int64_t(positions.size());
    const auto e = evaluate(denoiser, x, rowIndices(positions, n));
    auto sigma = [](double abar) { return std::sqrt((1.0 - abar) / abar); };
    auto xScale = perRow(positions, n, x, [&](int64_t i) {
        return std::sqrt(alphaBar(nextIndex(i)) / alphaBar(grid_[size_t(i)]));
    });
    auto epsScale = perRow(positions, n, x, [&](int64_t i) {
        const double abar = alphaBar(grid_[size_t(i)]), abarNext = alphaBar(nextIndex(i));
        return std::sqrt(abarNext) * (sigma(abarNext) - sigma(abar)); // (2)
    });
    return {xScale * x + epsScale * e.eps, e.x0};
}

} // namespace ds
