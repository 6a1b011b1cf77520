#pragma once
#include "sampler.h"

namespace ds {

class EmpiricalDenoiser;
class GaussianDenoiser;

// The exact ancestral sampler of the exact oracles (seed 003): it draws x_{k'} from the true
// reverse kernel q(x_{k'} | x_k) of the oracle's data distribution, so its samples are exact at
// any step count. Empirical data: a Gaussian mixture over the training items; Gaussian data: one
// Gaussian. Other models are refused (the kernel needs the posterior, not just its mean).
class OracleAncestralSampler : public Sampler {
public:
    std::string_view name() const override { return "oracle-ancestral"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;

private:
    StepOutput empiricalStep(EmpiricalDenoiser& oracle, const at::Tensor& x, int64_t i, NoiseSource& noise) const;
    StepOutput gaussianStep(GaussianDenoiser& oracle, const at::Tensor& x, int64_t i, NoiseSource& noise) const;
};

} // namespace ds
