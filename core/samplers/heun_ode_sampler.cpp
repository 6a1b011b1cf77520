#include "heun_ode_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {
double flowSigma(double abar) { return std::sqrt((1.0 - abar) / abar); }

StepOutput HeunOdeSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource&)
{
    const int64_t k = grid_[size_t(i)], kNext = nextIndex(i);
    const auto e = evaluate(denoiser, x, k);
    // Euler to σ = 0: y' = y − σ ε̂ = x̂0.
    if (kNext < 0)
        return {e.x0, e.x0};

    const double abar = alphaBar(k), abarNext = alphaBar(kNext);
    const double ds = flowSigma(abarNext) - flowSigma(abar);
    const auto y = x / std::sqrt(abar);
    // Euler predictor y_e = y + Δσ ε̂, then the trapezoid corrector with ε̂ at (y_e, σ').
    const auto yEuler = y + ds * e.eps;
    const auto corrector = evaluate(denoiser, yEuler * std::sqrt(abarNext), kNext);
    const auto yNext = y + (0.5 * ds) * (e.eps + corrector.eps);
    return {yNext * std::sqrt(abarNext), e.x0};
}

} // namespace ds
