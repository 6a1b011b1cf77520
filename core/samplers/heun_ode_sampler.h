#pragma once
#include "sampler.h"

namespace ds {

// Probability-flow ODE with Heun's method (Karras et al. 2022, Algorithm 1, deterministic).
// In y = x/√ᾱ and σ = √((1−ᾱ)/ᾱ) the VP flow reads dy/dσ = ε̂(x, σ). Two network passes a
// step, the corrector waiting on the predictor; the last step (to σ = 0) is a plain Euler
// step, which lands on x̂0: 2n − 1 passes.
// σ of the VP flow in y = x/√ᾱ coordinates: √((1−ᾱ)/ᾱ).
double flowSigma(double abar);

class HeunOdeSampler : public Sampler {
public:
    std::string_view name() const override { return "pf-ode-heun"; }
    bool hasTransition() const override { return true; }
    Transition transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions) override;
    int64_t dependentCallsPerStep() const override { return 2; }
};

} // namespace ds
