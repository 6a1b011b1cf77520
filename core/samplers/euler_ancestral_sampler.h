#pragma once
#include "sampler.h"

namespace ds {

// Euler ancestral (k-diffusion sample_euler_ancestral): an Euler step down to σ_down, then
// fresh noise σ_up back up to σ'. Options: eta (η, the noise fraction; η = 0 is euler) and
// churnNoise (s_noise). Its noise comes after the network call, so it is single-step.
class EulerAncestralSampler : public Sampler {
public:
    std::string_view name() const override { return "euler-ancestral"; }
    bool hasTransition() const override { return true; }
    Transition transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions) override;
    double noiseScale(int64_t i) const override;

private:
    struct Split {
        double down = 0, up = 0; // σ_down, σ_up of step i
    };
    Split split(int64_t i) const;
};

} // namespace ds
