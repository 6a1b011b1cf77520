#include "sample_metrics.h"

#include "models/error.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

namespace ds {
namespace {

at::Tensor kernelSum(const at::Tensor& a, const at::Tensor& b)
{
    auto d2 = at::cdist(a, b).square();
    at::Tensor sum = at::zeros_like(d2);
    for (double sigma : {0.05, 0.1, 0.2, 0.5, 1.0, 2.0})
        sum = sum + at::exp(-d2 / (2.0 * sigma * sigma));
    return sum;
}

// Mean of a kernel matrix without its diagonal (the unbiased within-set term).
double offDiagonalMean(const at::Tensor& k)
{
    const double n = double(k.size(0));
    return ((k.sum() - k.diagonal().sum()) / (n * (n - 1))).item<double>();
}

} // namespace

double mmdSquared(const at::Tensor& xIn, const at::Tensor& yIn)
{
    auto x = xIn.reshape({xIn.size(0), -1}).to(at::kDouble);
    auto y = yIn.reshape({yIn.size(0), -1}).to(at::kDouble);
    require(x.size(0) >= 2 && y.size(0) >= 2 && x.size(1) == y.size(1), "MMD needs two clouds of >= 2 points in one space");
    return offDiagonalMean(kernelSum(x, x)) + offDiagonalMean(kernelSum(y, y)) - 2.0 * kernelSum(x, y).mean().item<double>();
}

double slicedWasserstein(const at::Tensor& xIn, const at::Tensor& yIn, int64_t directions, uint64_t seed)
{
    auto x = xIn.reshape({xIn.size(0), -1}).to(at::kDouble);
    auto y = yIn.reshape({yIn.size(0), -1}).to(at::kDouble);
    require(x.size(1) == y.size(1) && x.size(0) >= 1 && y.size(0) >= 1 && directions >= 1, "sliced Wasserstein: bad inputs");
    auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto theta = at::randn({x.size(1), directions}, g, at::kDouble);
    theta = theta / theta.norm(2, 0, true);
    // Quantile functions on a common grid of n levels.
    const int64_t n = std::max(x.size(0), y.size(0));
    auto levels = (at::arange(n, at::kDouble) + 0.5) / double(n);
    auto quantiles = [&](const at::Tensor& p) {
        auto sorted = std::get<0>(at::sort(at::matmul(p, theta), 0));
        auto index = (levels * double(p.size(0))).floor().to(at::kLong).clamp(0, p.size(0) - 1);
        return sorted.index_select(0, index);
    };
    return std::sqrt((quantiles(x) - quantiles(y)).square().mean().item<double>());
}

} // namespace ds
