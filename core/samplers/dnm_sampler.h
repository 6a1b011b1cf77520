#pragma once
// Differential noise modelling (seed 000): x_{t−1} = x_t − δ̂_t − σ_t z_t with every δ̂ from
// δ_θ(x_T, t) alone, so all of them come from one batched network pass and the trajectory is
// a prefix sum:  x_{t_k} = x_T − Σ_{m<k} (δ̂_m + σ_m z_m).
// The network predicts u(x_T, t) ≈ T·δ_t (the per-unit-time differential); over a grid stride
// from t to t' the step is δ̂ = (t − t')/T · u(x_T, t) (exact for a full grid, a left Riemann
// sum for shorter ones). The strides cover the whole chain whatever the grid: the first grid
// point's interval reaches up to t = T (x_T), so Σ Δt = 1 also on a leading grid. σ_t = s·√Δt with Δt = (t − t')/T; s = options.sigmaScale, and s = 0
// is the deterministic variant. No noise on the last step. Noise is drawn in step order.
#include "sampler.h"

#include <vector>

namespace ds {

class DnmSampler : public WholeChainSampler {
public:
    std::string_view name() const override { return "dnm"; }
    ModelRole role() const override { return ModelRole::DnmDelta; }
    bool solve(Denoiser& denoiser, const at::Tensor& xT, NoiseSource& noise, const RoundObserver& observer,
               const StopToken* stop) override;
    int64_t sequentialRounds() const override { return rounds_; }
    // Δt_m = (t_m − t_{m+1})/T with t_0 = T: the stride each grid point stands for.
    std::vector<double> strides() const;

protected:
    void onBegin() override;

private:
    int64_t rounds_ = 0;
};

// The prefix-sum trajectory from x_T, deltas [L, N, C, H, W] and noise terms σ_k z_k (same
// shape, or undefined): L + 1 states, x_T first. Exposed for the tests.
std::vector<at::Tensor> dnmTrajectory(const at::Tensor& xT, const at::Tensor& deltas, const at::Tensor& noiseTerms);

} // namespace ds
