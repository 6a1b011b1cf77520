#pragma once
// Where a reverse run starts. Besides x_T ~ N(0, I) (initialNoise in sampler.h), a run can
// start from real images forward-diffused to the sampler's first index with the model's own
// schedule: seed 002's set-up for Algorithm 1, and an SDEdit-style start for the others.
#include "core/denoisers/denoiser.h"
#include "core/noise_source.h"
#include "sampler.h"

#include <string>

namespace ds {

// The held-out split that data starts draw from: fashion-mnist → fashion-mnist-test; a 2D toy
// → the toy itself (fresh points). Throws ds::Error when the model's data set is unknown.
std::string startDataset(const DenoiserInfo& info);

// Items offset…offset+n−1 of `dataset`, in the model's range, diffused to the sampler's first
// grid index with one noise draw from `noise` (the draw that x_T would otherwise be).
// The sampler must have been begun with the run's options.
at::Tensor forwardDiffusedStart(const Denoiser& denoiser, const Sampler& sampler, const std::string& dataset,
                                int64_t offset, int64_t n, NoiseSource& noise);

} // namespace ds
