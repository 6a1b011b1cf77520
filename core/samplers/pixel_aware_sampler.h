#pragma once
// Pixel-aware accelerated reverse diffusion (seed 002, Algorithm 1). From x_i:
//   1. x̂_δ = G_θ(x_i, i); per-pixel rate r = −ln(x̂_δ)/T, so α = e^{−r}, ᾱ_j = e^{−r j},
//      β̃_j = (1 − ᾱ_{j−1})/(1 − ᾱ_j) · (1 − α);
//   2. Z = R_φ(x_i, x̂_δ, i): every Z^j in one pass;
//   3. x̂_{j−1} = (x̂_j − (1 − α)/√(1 − ᾱ_j) ⊙ Z^j)/√α + √β̃_j ⊙ ε,  j = i … 1
//      (line 9 has 1 − α_j where the text's eq. 6 has the same; β̃_1 = 0, so the last step adds
//      no noise). Two network passes in all; the recurrence is elementwise.
// `steps` is the start index i (1..T); the start x_i is whatever x_T the caller gives: a
// forward-diffused real image (the paper's set-up) or pure N(0, I) noise.
#include "../sampler.h"

#include <functional>
#include <vector>

namespace ds {

class PixelAwareSampler : public Sampler {
public:
    std::string_view name() const override { return "pixel-aware"; }
    ModelRole role() const override { return ModelRole::PixelAware; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;
    int64_t sequentialRounds() const override { return states_.empty() ? 0 : 2; }
    const at::Tensor& scaleEstimate() const { return scale_; }

protected:
    void onBegin() override;
    std::vector<int64_t> makeGrid(const Schedule& schedule, const SamplerOptions& options) const override;

private:
    std::vector<at::Tensor> states_;
    at::Tensor scale_;
};

// Lines 2–11 of Algorithm 1 for given per-pixel rates r ([N, C, H, W]) and noise predictions
// Z ([N, i, C, H, W], Z[:, j−1] = Z^j). `noise(j)` supplies ε for step j (called for j = i … 2
// in that order). Returns x̂_i, x̂_{i−1}, …, x̂_0.
std::vector<at::Tensor> pixelAwareReverse(const at::Tensor& xi, const at::Tensor& rate, const at::Tensor& Z,
                                          const std::function<at::Tensor(int64_t j)>& noise);

} // namespace ds
