#include "frechet_distance.h"

#include "models/error.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

// Square root of a symmetric positive semi-definite matrix: V diag(√max(λ, 0)) Vᵀ.
at::Tensor sqrtPsd(const at::Tensor& m)
{
    auto [values, vectors] = at::linalg_eigh(0.5 * (m + m.t()));
    return at::matmul(vectors * at::sqrt(values.clamp_min(0)).unsqueeze(0), vectors.t());
}

} // namespace

GaussianStats gaussianStats(const at::Tensor& features)
{
    require(features.dim() == 2 && features.size(0) >= 2, "feature statistics need at least 2 samples [N, D]");
    auto f = features.to(at::kDouble);
    auto mean = f.mean(0);
    auto centred = f - mean;
    return {mean, at::matmul(centred.t(), centred) / double(f.size(0) - 1)};
}

double frechetDistance(const GaussianStats& a, const GaussianStats& b)
{
    require(a.mean.sizes() == b.mean.sizes(), "Fréchet distance: feature sizes differ");
    auto rootA = sqrtPsd(a.covariance);
    auto cross = sqrtPsd(at::matmul(at::matmul(rootA, b.covariance), rootA));
    auto trace = (a.covariance.trace() + b.covariance.trace() - 2.0 * cross.trace()).item<double>();
    return (a.mean - b.mean).square().sum().item<double>() + trace;
}

} // namespace ds
