#pragma once
#include "sampler.h"

namespace ds {

// Euler–Maruyama on the reverse-time VP SDE (Song et al. 2021b):
//   dx = [−½β(t) x − β(t) ∇log p_t(x)] dt + √β(t) dw̄,  ∇log p_t = −ε̂/√(1−ᾱ).
// The last step returns Tweedie's x̂0 (no noise), as score-SDE codes do.
class EulerMaruyamaSampler : public Sampler {
public:
    std::string_view name() const override { return "euler-sde"; }
    bool hasTransition() const override { return true; }
    Transition transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions) override;
    double noiseScale(int64_t i) const override;

private:
    double logStep(int64_t i) const;
};

} // namespace ds
