#pragma once
#include "../sampler.h"

namespace ds {

// DDPM ancestral sampling (Ho et al. 2020, Algorithm 2), generalised to a strided grid.
class DdpmSampler : public Sampler {
public:
    std::string_view name() const override { return "ddpm"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;
};

} // namespace ds
