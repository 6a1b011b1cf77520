#pragma once
// Distances between two point clouds (2D toy samples vs fresh draws of the true distribution).
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace ds {

// Unbiased MMD² with a sum of RBF kernels k(a, b) = Σ_σ exp(−‖a − b‖² / (2σ²)),
// σ ∈ {0.05, 0.1, 0.2, 0.5, 1, 2}: zero in expectation when both clouds share a law.
// x [N, D], y [M, D].
double mmdSquared(const at::Tensor& x, const at::Tensor& y);

// Sliced 2-Wasserstein distance: √(mean over L random directions θ of W2²(θᵀx, θᵀy)), with the
// 1D W2² from sorted projections (x and y are resampled to the same size). Seeded.
double slicedWasserstein(const at::Tensor& x, const at::Tensor& y, int64_t directions = 256, uint64_t seed = 0);

} // namespace ds
