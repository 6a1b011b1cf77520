#pragma once
// Exact parallel sampling by Picard (fixed-point) iteration over a sliding window of steps
// (ParaDiGMS, Shih et al. 2023), around any single-step sampler (Sampler::transition). The
// sequential chain is x_{j+1} = Φ_j(x_j) = m_j(x_j) + σ_j z_j with its noise drawn up front;
// writing Φ_j(x) = x + h_j(x), one round over the window [s, e) evaluates every h_m in one
// batched call and sets
//   x_{j+1} ← x_s + Σ_{m=s}^{j} h_m(x_m),   j in [s, e).
// The sequential chain is the fixed point. Stopping rule (ParaDiGMS): per sample and per step,
// the change of x_{j+1} is small when ‖Δ‖²/D ≤ τ² σ_j², σ_j² the step's noise variance
// (Sampler::stepVariance: the stochastic twin's variance for deterministic samplers). The window
// slides by 1 + the index of the first position that is still moving (at most W), and the
// positions that enter it start from the newest state of the window, not from x_T.
// Sequential rounds count every network call that waits on another: a round of Heun is two.
#include "sampler.h"

#include <memory>
#include <string>
#include <vector>

namespace ds {

class PicardSampler : public WholeChainSampler {
public:
    // Wraps `base` (which must have a transition); `name` is the registry's ("picard-ddim").
    PicardSampler(std::unique_ptr<Sampler> base, std::string name);

    std::string_view name() const override { return name_; }
    bool solve(Denoiser& denoiser, const at::Tensor& xT, NoiseSource& noise, const RoundObserver& observer,
               const StopToken* stop) override;
    int64_t sequentialRounds() const override { return sequentialCalls_; }
    int64_t rounds() const { return rounds_; }
    double stepVariance(int64_t i) const override { return base_->stepVariance(i); }
    const Sampler& base() const { return *base_; }

protected:
    void onBegin() override;

private:
    void drawNoise(const at::Tensor& xT, NoiseSource& noise);
    // One round over [s, e): updates states s+1..e and x̂0 of s..e−1; returns the residual
    // max over samples of ‖Δ‖²/(D σ_j²) per position.
    std::vector<double> round(Denoiser& denoiser, int64_t s, int64_t e);

    std::unique_ptr<Sampler> base_;
    std::string name_;
    std::vector<at::Tensor> noise_; // σ_j z_j (undefined where the step adds none)
    int64_t rounds_ = 0;
    int64_t sequentialCalls_ = 0;
};

} // namespace ds
