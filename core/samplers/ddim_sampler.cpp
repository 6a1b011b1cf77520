#include "ddim_sampler.h"

#include <ATen/ATen.h>

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

StepOutput DdimSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    const int64_t k = grid_[size_t(i)];
    const auto c = ddimCoefficients(alphaBar(k), alphaBar(nextIndex(i)), options_.eta);
    const auto e = evaluate(denoiser, x, k);
    auto next = c.x0 * e.x0 + c.eps * e.eps;
    if (c.sigma > 0.0)
        next = next + c.sigma * noise.normal(x.sizes());
    return {next, e.x0};
}

} // namespace ds
