#include "noise_source.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

namespace ds {

NoiseSource::NoiseSource(uint64_t seed, c10::Device device)
    : seed_(seed), device_(device), generator_(at::make_generator<at::CPUGeneratorImpl>(seed))
{
}

at::Tensor NoiseSource::normal(at::IntArrayRef shape)
{
    ++draws_;
    auto z = at::randn(shape, generator_, at::TensorOptions().dtype(at::kFloat));
    return device_.is_cpu() ? z : z.to(device_);
}

} // namespace ds
