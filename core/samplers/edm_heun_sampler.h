#pragma once
#include "sampler.h"

namespace ds {

// Karras et al. 2022, Algorithm 2: stochastic Heun with "churn" (S_churn, S_tmin, S_tmax,
// S_noise from the options churn, churnTMin, churnTMax, churnNoise). With churn = 0 it is
// pf-ode-heun. Noise is added before the network call, so it overrides step().
class EdmHeunSampler : public Sampler {
public:
    std::string_view name() const override { return "edm-heun"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;
    int64_t dependentCallsPerStep() const override { return 2; }

private:
    // Index whose ᾱ is nearest to 1/(1 + σ̂²), searched in [k, T−1].
    int64_t nearestIndex(double sigmaHat, int64_t k) const;
};

} // namespace ds
