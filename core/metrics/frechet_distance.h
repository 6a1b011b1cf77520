#pragma once
// The Fréchet distance between Gaussian fits of two feature sets (Heusel et al. 2017):
//   d² = ‖μ1 − μ2‖² + Tr(Σ1 + Σ2 − 2 (Σ1^{1/2} Σ2 Σ1^{1/2})^{1/2}),
// with the symmetric form of the matrix square root, computed by eigendecomposition.
#include <ATen/core/Tensor.h>

namespace ds {

struct GaussianStats {
    at::Tensor mean;       // [D] float64
    at::Tensor covariance; // [D, D] float64 (unbiased)
};

// Mean and covariance of features [N, D] (N ≥ 2).
GaussianStats gaussianStats(const at::Tensor& features);
double frechetDistance(const GaussianStats& a, const GaussianStats& b);

} // namespace ds
