#pragma once
#include "../sampler.h"

namespace ds {

// One DDPM update from index k to k' as x' = x0·x̂0 + x·x_t + sigma·z (shared with the Picard
// sampler, which applies it to many steps at once). abarNext = 1 at the end.
struct DdpmCoefficients {
    double x0 = 0, x = 0, sigma = 0;
};
DdpmCoefficients ddpmCoefficients(double abar, double abarNext, const SamplerOptions& options);

// DDPM ancestral sampling (Ho et al. 2020, Algorithm 2), generalised to a strided grid.
class DdpmSampler : public Sampler {
public:
    std::string_view name() const override { return "ddpm"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;
};

} // namespace ds
