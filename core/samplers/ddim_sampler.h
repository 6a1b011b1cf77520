#pragma once
#include "sampler.h"

namespace ds {

// One DDIM update from index k to k' as x' = x0·x̂0 + eps·ε̂ + sigma·z. abarNext = 1 at the end.
struct DdimCoefficients {
    double x0 = 0, eps = 0, sigma = 0;
};
DdimCoefficients ddimCoefficients(double abar, double abarNext, double eta);

// DDIM (Song, Meng & Ermon 2021): η = 0 is deterministic, η = 1 matches DDPM's β̃ noise.
class DdimSampler : public Sampler {
public:
    std::string_view name() const override { return "ddim"; }
    bool hasTransition() const override { return true; }
    Transition transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions) override;
    double noiseScale(int64_t i) const override;

private:
    DdimCoefficients coefficients(int64_t i) const;
};

} // namespace ds
