#include "dpm_solver_pp_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {
namespace {

// Half log-SNR λ = log(α/σ) with α = √ᾱ, σ = √(1−ᾱ).
double halfLogSnr(double abar) { return 0.5 * std::log(abar / (1.0 - abar)); }

} // namespace

void DpmSolverPp2MSampler::onBegin()
{
    previousX0_ = at::Tensor();
    previousH_ = 0;
}

// Notation: k = grid[i] → k' = next index; α, σ, λ at k and α', σ', λ' at k'; h = λ' − λ.
StepOutput DpmSolverPp2MSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource&)
{
    const int64_t k = grid_[size_t(i)], kNext = nextIndex(i);
    const auto e = evaluate(denoiser, x, k);

    // Final step to σ' = 0: the first-order update tends to x' = x̂0 as λ' → ∞.
    if (kNext < 0)
        return {e.x0, e.x0};

    const double abar = alphaBar(k), abarNext = alphaBar(kNext);
    const double sigma = std::sqrt(1.0 - abar), sigmaNext = std::sqrt(1.0 - abarNext);
    const double alphaNext = std::sqrt(abarNext);
    const double h = halfLogSnr(abarNext) - halfLogSnr(abar);

    // D = x̂0 (first order), or D = (1 + 1/(2r)) x̂0_i − 1/(2r) x̂0_{i−1} with r = h_{i−1}/h_i.
    at::Tensor d = e.x0;
    if (previousX0_.defined()) {
        const double r = previousH_ / h;
        d = (1.0 + 0.5 / r) * e.x0 - (0.5 / r) * previousX0_;
    }
    // x' = (σ'/σ) x − α' (e^{−h} − 1) D.
    auto next = (sigmaNext / sigma) * x - alphaNext * std::expm1(-h) * d;
    previousX0_ = e.x0;
    previousH_ = h;
    return {next, e.x0};
}

} // namespace ds
