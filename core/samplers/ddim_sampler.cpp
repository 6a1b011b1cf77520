#include "ddim_sampler.h"

#include "x0_threshold.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {

DdimCoefficients ddimCoefficients(double abar, double abarNext, double eta)
{
    DdimCoefficients c;
    // σ = η √((1−ᾱ')/(1−ᾱ)) √(1 − ᾱ/ᾱ')  (Song et al. eq. 16); 0 on the final step.
    c.sigma = eta * std::sqrt((1.0 - abarNext) / (1.0 - abar)) * std::sqrt(1.0 - abar / abarNext);
    // x' = √ᾱ' x̂0 + √(1 − ᾱ' − σ²) ε̂ + σ z  (eq. 12).
    c.x0 = std::sqrt(abarNext);
    c.eps = std::sqrt(std::max(0.0, 1.0 - abarNext - c.sigma * c.sigma));
    return c;
}

DdimCoefficients DdimSampler::coefficients(int64_t i) const
{
    return ddimCoefficients(alphaBar(grid_[size_t(i)]), alphaBar(nextIndex(i)), options_.eta);
}

double DdimSampler::noiseScale(int64_t i) const { return coefficients(i).sigma; }

Transition DdimSampler::transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions)
{
    const int64_t n = x.size(0) / int64_t(positions.size());
    // x̂0 is thresholded; the direction term keeps the model's own ε̂ (diffusers' DDIM with
    // use_clipped_model_output = False), so clipping changes only the x̂0 term.
    const auto e = denoiser.estimate(x, rowIndices(positions, n));
    const auto x0 = thresholdX0(e.x0, options_, denoiser.info().range);
    const auto cx0 = perRow(positions, n, x, [this](int64_t i) { return coefficients(i).x0; });
    const auto ceps = perRow(positions, n, x, [this](int64_t i) { return coefficients(i).eps; });
    return {cx0 * x0 + ceps * e.eps, x0};
}

} // namespace ds
