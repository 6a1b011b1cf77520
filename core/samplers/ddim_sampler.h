#pragma once
#include "../sampler.h"

namespace ds {

// DDIM (Song, Meng & Ermon 2021): η = 0 is deterministic, η = 1 matches DDPM's β̃ noise.
class DdimSampler : public Sampler {
public:
    std::string_view name() const override { return "ddim"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;
};

} // namespace ds
