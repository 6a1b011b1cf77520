#pragma once
// 2D data (the toy sets: a batch is [N, 2, 1, 1], one "pixel" with two channels) drawn as a scatter plot, so every place that shows
// or exports a batch as an image also works for point clouds: x_t of a toy trajectory is a
// cloud that spreads into N(0, I) and contracts back onto the data.
#include "data_range.h"

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>

namespace ds {

// True for a model whose items are 2D points (C, H, W) = (2, 1, 1).
inline bool isPointShape(const std::array<int64_t, 3>& shape) { return shape == std::array<int64_t, 3>{2, 1, 1}; }

// True for a batch of 2D points: [N, 2, 1, 1] as the engine stores them, or plain [N, 2].
bool isPointBatch(const at::Tensor& batch);

// Half-width of the square the plot shows: wide enough for the data range and for N(0, I)
// (|z| < 4 for all but 6e-5 of the draws), so scrubbing a trajectory keeps one fixed frame.
double pointCloudExtent(DataRange range);

// uint8 [size, size, 3]: dark background, grey axes through 0, each point a 2×2 dot (points
// outside ±extent are pinned to the border in red, so divergent samples stay visible).
at::Tensor pointCloudImage(const at::Tensor& batch, double extent, int64_t size = 256);

} // namespace ds
