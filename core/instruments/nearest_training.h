#pragma once
// Memorisation check: each output's distance to its nearest training image. A model that
// reproduces its training set has distances near 0 where a generalising one does not. Note:
// the exact empirical oracle (oracle:<data set>) is the posterior mean of the empirical data
// distribution, so a full run of it always ends on a training image (distance ≈ 0): it is the
// memorising reference, not a model that generalises.
#include <ATen/core/Tensor.h>

namespace ds {

struct NearestTraining {
    at::Tensor distance; // float64 [N]: RMS distance per pixel, √(‖x − y‖² / D), to the nearest item
    at::Tensor index;    // int64 [N]: which item of the data set
};

// samples [N, …] against data [M, …] of the same item shape; chunked over the data.
NearestTraining nearestTraining(const at::Tensor& samples, const at::Tensor& data);

} // namespace ds
