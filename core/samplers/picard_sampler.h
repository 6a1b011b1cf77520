#pragma once
// Exact parallel sampling by Picard (fixed-point) iteration over a sliding window of steps
// (ParaDiGMS, Shih et al. 2023). A sequential sampler is a chain x_{j+1} = Φ_j(x_j) with its
// noise drawn up front; writing Φ_j(x) = x + h_j(x), the iteration
//   x_{j+1}^{(p+1)} = x_s + Σ_{m=s}^{j} h_m(x_m^{(p)}),   j in the window [s, s + W),
// evaluates every h_m of the window in one batched network call and has the sequential chain
// as its fixed point: position s + 1 is exact after one round, and the window slides past the
// positions whose change fell below the tolerance. Same seed, same result as the sequential
// sampler (to the tolerance), in fewer rounds of network calls.
#include "../sampler.h"

#include <vector>

namespace ds {

class PicardSampler : public Sampler {
public:
    enum class Base { Ddpm, Ddim, HeunOde };
    explicit PicardSampler(Base base) : base_(base) {}

    std::string_view name() const override;
    // The whole chain is solved at step 0; each step then returns its converged state, so the
    // observer still sees one frame per step.
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;
    int64_t sequentialRounds() const override { return rounds_; }

protected:
    void onBegin() override;

private:
    void solve(Denoiser& denoiser, const at::Tensor& xT, NoiseSource& noise);
    void drawNoise(const at::Tensor& xT, NoiseSource& noise);
    // Φ_j(x_j) − x_j for the window positions [s, e), batched; also records x̂0 per position.
    at::Tensor drifts(Denoiser& denoiser, int64_t s, int64_t e);
    Estimate batchedEstimate(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& ks);

    Base base_;
    std::vector<at::Tensor> states_; // x_0 = x_T, …, x_n
    std::vector<at::Tensor> x0_;     // model's x̂0 at each step's input
    std::vector<at::Tensor> noise_;  // z_j (undefined where the step adds none)
    int64_t rounds_ = 0;
};

} // namespace ds
