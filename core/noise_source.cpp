#include "noise_source.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "brownian_noise.h"
#include "models/error.h"

namespace ds {

NoiseSource::NoiseSource(uint64_t seed, c10::Device device)
    : seed_(seed), device_(device), generator_(at::make_generator<at::CPUGeneratorImpl>(seed))
{
}

NoiseSource NoiseSource::replaying(std::vector<at::Tensor> draws, c10::Device device)
{
    NoiseSource source(0, device);
    source.recorded_ = std::move(draws);
    source.replaying_ = true;
    return source;
}

void NoiseSource::usePath(std::shared_ptr<const BrownianPath> path) { path_ = std::move(path); }

void NoiseSource::beginStep(int64_t from, int64_t to)
{
    stepFrom_ = from;
    stepTo_ = to;
    inStep_ = true;
    stepUsedPath_ = false;
}

at::Tensor NoiseSource::normal(at::IntArrayRef shape)
{
    if (path_ && inStep_) {
        if (!stepUsedPath_ && shape.size() == 4) { // the step's own noise: the path's z
            stepUsedPath_ = true;
            ++draws_;
            ++pathDraws_;
            auto z = path_->interval(stepFrom_, stepTo_, shape);
            return device_.is_cpu() ? z : z.to(device_);
        }
        ++offPathDraws_;
    }
    if (replaying_) {
        require(draws_ < int64_t(recorded_.size()), "recorded noise ran out after " + std::to_string(draws_)
                                                        + " draws (the run needs more)");
        auto z = recorded_[size_t(draws_++)];
        require(z.sizes() == shape, "recorded noise draw " + std::to_string(draws_) + " has the wrong shape");
        return z.to(device_, at::kFloat);
    }
    ++draws_;
    auto z = at::randn(shape, generator_, at::TensorOptions().dtype(at::kFloat));
    return device_.is_cpu() ? z : z.to(device_);
}

} // namespace ds
