#pragma once
#include "sampler.h"

namespace ds {

// Euler on the probability-flow ODE in σ (Karras et al. 2022, Algorithm 1 without the
// corrector; k-diffusion sample_euler). First order, one network pass a step, single-step:
// Picard can solve its chain through transition().
class EulerSampler : public Sampler {
public:
    std::string_view name() const override { return "euler"; }
    bool hasTransition() const override { return true; }
    Transition transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions) override;
};

} // namespace ds
