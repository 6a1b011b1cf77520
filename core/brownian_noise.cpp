#include "brownian_noise.h"

#include "models/error.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

namespace ds {
namespace {

// SplitMix64's finaliser: neighbouring (seed, k) give unrelated generator seeds.
uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

} // namespace

at::Tensor BrownianPath::increment(int64_t k, at::IntArrayRef shape) const
{
    require(k >= 0, "Brownian path: increment index ", k, " is negative");
    auto generator = at::make_generator<at::CPUGeneratorImpl>(mix(mix(seed_) ^ uint64_t(k)));
    return at::randn(shape, generator, at::TensorOptions().dtype(at::kFloat));
}

at::Tensor BrownianPath::interval(int64_t from, int64_t to, at::IntArrayRef shape) const
{
    require(from > to && to >= -1, "Brownian path: interval (", to, ", ", from, "] is empty or below -1");
    auto sum = increment(from, shape);
    for (int64_t k = to + 1; k < from; ++k)
        sum.add_(increment(k, shape));
    // Σ of (from − to) independent N(0, I) has variance (from − to).
    return from - to == 1 ? sum : sum.div_(std::sqrt(double(from - to)));
}

} // namespace ds
