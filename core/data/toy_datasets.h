#pragma once
// 2D toy distributions, as [N, 2, 1, 1] batches so they flow through the image code paths.
// Each is scaled to roughly unit spread; all draws come from the given seed.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ds {

const std::vector<std::string>& toyDatasetNames(); // two-moons, 8-gaussians, swiss-roll, checkerboard
bool isToyDataset(const std::string& name);
// n points of the named toy; throws ds::Error for an unknown name.
at::Tensor sampleToy(const std::string& name, int64_t n, uint64_t seed);

} // namespace ds
