#pragma once
// One Brownian path shared by runs on different grids, so the noise two samplers add over the
// same stretch of the schedule is the same noise and their differences are the method's.
//
// Fine increments ξ_k ~ N(0, I), one per schedule index k = 0 … T−1, each drawn from its own
// CPU generator seeded by (seed, k), so any run can read any increment in any order. A step
// from index a down to b (b = −1: the clean data) uses
//     z = Σ_{k ∈ (b, a]} ξ_k / √(a − b),
// a standard normal; two grids that share the interval (b, a] get exactly the same z there,
// and a grid that visits every index (a − b = 1) gets ξ_a itself. NoiseSource::usePath hands
// these z out inside the steps runSampler announces (core/noise_source.h).
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace ds {

class BrownianPath {
public:
    explicit BrownianPath(uint64_t seed) : seed_(seed) {}

    // ξ_k of `shape`, float32 on the CPU; k ≥ 0 (ds::Error otherwise).
    at::Tensor increment(int64_t k, at::IntArrayRef shape) const;
    // The normalised sum over (to, from]: from > to ≥ −1 (ds::Error otherwise).
    at::Tensor interval(int64_t from, int64_t to, at::IntArrayRef shape) const;
    uint64_t seed() const { return seed_; }

private:
    uint64_t seed_;
};

} // namespace ds
