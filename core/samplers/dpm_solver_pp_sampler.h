#pragma once
#include "sampler.h"

namespace ds {

// DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2): second-order multistep in the data
// prediction, exact in the linear part. First order on the first and the final step.
class DpmSolverPp2MSampler : public Sampler {
public:
    std::string_view name() const override { return "dpmpp-2m"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;

protected:
    void onBegin() override;

private:
    at::Tensor previousX0_; // D from the previous step
    double previousH_ = 0;  // λ step of the previous update
};

} // namespace ds
