#pragma once
#include "sampler.h"

#include <deque>

namespace ds {

// DPM-Solver++(3M) (Lu et al. 2022b): the deterministic third-order multistep of diffusers'
// DPMSolverMultistepScheduler (solver_order = 3, algorithm_type "dpmsolver++", midpoint
// second order), with the exact weight on D2 (see the .cpp). Orders 1, 2, 3, 3, …; the final
// step is first order and, below 15 steps, the one before it second order (diffusers'
// lower_order_final).
class DpmPp3MSampler : public Sampler {
public:
    std::string_view name() const override { return "dpmpp-3m"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;

protected:
    void onBegin() override { history_.clear(); }

private:
    std::deque<at::Tensor> history_; // x̂0 of the previous steps, newest first (at most 2)
};

} // namespace ds
