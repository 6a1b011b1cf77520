#pragma once
#include "sampler.h"

namespace ds {

// DPM-Solver++(2M) SDE, midpoint form (Lu et al. 2022b; k-diffusion sample_dpmpp_2m_sde,
// solver_type "midpoint"). Options: eta (η; 0 gives DPM-Solver++(2M)) and churnNoise (s_noise).
// Multistep (keeps the previous x̂0), so it overrides step().
class DpmPp2MSdeSampler : public Sampler {
public:
    std::string_view name() const override { return "dpmpp-2m-sde"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;

protected:
    void onBegin() override;

private:
    at::Tensor previousX0_; // D_{i−1}
    double previousH_ = 0;  // h_{i−1}
};

} // namespace ds
