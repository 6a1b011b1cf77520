// Notation (UniPC, Zhao et al. 2023, Alg. 2/3 with B(h) = e^h − 1; diffusers
// multistep_uni_{p,c}_bh_update, predict_x0): α = √ᾱ, σ = √(1−ᾱ), λ = log(α/σ); a step goes
// from s0 to t with h = λ_t − λ_s0; m0 = x̂0 at s0, m1 at the point s1 before it,
// r1 = (λ_s1 − λ_s0)/h (< 0), D1 = (m1 − m0)/r1; φ = e^{−h} − 1 = B(h) for bh2.
//   (1) UniP-1: x_t = (σ_t/σ_s0)x − α_t φ m0                                   (DPM-Solver++-1)
//   (2) UniP-2: x_t = (1) − α_t B(h)·½·D1                                      (ρ_p = ½, Alg. 2)
//   (3) UniC-p corrects the last predictor's x_t with m_t = x̂0(x_t):
//       x_t^c = (σ_t/σ_s0)x_s0 − α_t φ m0 − α_t B(h)(Σ ρ_k D1_k + ρ_p (m_t − m0)),
//       p = 1: ρ = ½;  p = 2: R ρ = b with R = [[1, 1], [r1, 1]],
//       b_1 = g_1/B, b_2 = 2 g_2/B with g_1 = φ/(−h) − 1, g_2 = g_1/(−h) − ½ (diffusers'
//       recursion for the h-scaled φ functions)                                  (Alg. 3, eq. 10)
// Orders: predictor 1 on the first step, 2 after; the final step (σ_t = 0) returns m0 and
// skips the corrector, whose result (1) would discard.
#include "unipc_sampler.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {

void UniPcSampler::onBegin()
{
    history_.clear();
    lastSample_ = at::Tensor();
    lastOrder_ = 0;
}

// λ at grid position p; position stepCount() is the clean end (λ = ∞, never asked for).
double UniPcSampler::lambdaAt(int64_t position) const
{
    const double abar = alphaBar(grid_[size_t(position)]);
    return 0.5 * std::log(abar / (1.0 - abar));
}

// (1)/(2) from grid position i to i + 1 (not the final step).
at::Tensor UniPcSampler::predict(const at::Tensor& x, const at::Tensor& m0, int64_t i, int64_t order) const
{
    const double abar = alphaBar(grid_[size_t(i)]), abarNext = alphaBar(nextIndex(i));
    const double h = lambdaAt(i + 1) - lambdaAt(i), phi = std::expm1(-h), alphaT = std::sqrt(abarNext);
    auto out = std::sqrt((1.0 - abarNext) / (1.0 - abar)) * x - (alphaT * phi) * m0; // (1)
    if (order == 2) {
        const double r1 = (lambdaAt(i - 1) - lambdaAt(i)) / h;
        out = out - (alphaT * phi * 0.5 / r1) * (history_[0] - m0); // (2), history_[0] = m1
    }
    return out;
}

// (3): corrects x_i (reached from position i − 1 with lastOrder_) using m_t = x̂0(x_i).
at::Tensor UniPcSampler::correct(const at::Tensor& mT, int64_t i) const
{
    const int64_t s0 = i - 1;
    const double abarS0 = alphaBar(grid_[size_t(s0)]), abarT = alphaBar(grid_[size_t(i)]);
    const double h = lambdaAt(i) - lambdaAt(s0), hh = -h, phi = std::expm1(hh), alphaT = std::sqrt(abarT);
    const auto& m0 = history_[0];
    auto base = std::sqrt((1.0 - abarT) / (1.0 - abarS0)) * lastSample_ - (alphaT * phi) * m0;
    if (lastOrder_ == 1)
        return base - (alphaT * phi * 0.5) * (mT - m0);
    const double r1 = (lambdaAt(s0 - 1) - lambdaAt(s0)) / h;
    const double g1 = phi / hh - 1.0, b1 = g1 / phi;
    const double g2 = g1 / hh - 0.5, b2 = 2.0 * g2 / phi;
    // R ρ = b with R = [[1, 1], [r1, 1]]: ρ0 + ρ1 = b1, r1 ρ0 + ρ1 = b2.
    const double rho0 = (b1 - b2) / (1.0 - r1), rho1 = b1 - rho0;
    const auto d1 = (history_[1] - m0) / r1;
    return base - (alphaT * phi) * (rho0 * d1 + rho1 * (mT - m0));
}

StepOutput UniPcSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource&)
{
    const int64_t k = grid_[size_t(i)];
    const auto e = evaluate(denoiser, x, k);
    const auto m = e.x0;
    if (nextIndex(i) < 0) // σ_t = 0: (1) gives m0 whatever the corrected input
        return {m, m};
    const auto sample = lastOrder_ > 0 ? correct(m, i) : x;
    const int64_t order = std::min<int64_t>(2, int64_t(history_.size()) + 1);
    auto next = predict(sample, m, i, order);
    history_.push_front(m);
    if (history_.size() > 2)
        history_.pop_back();
    lastSample_ = sample;
    lastOrder_ = order;
    return {next, m};
}

} // namespace ds
