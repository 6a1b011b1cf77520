#include "nearest_training.h"

#include "models/error.h"

#include <ATen/ATen.h>

namespace ds {

NearestTraining nearestTraining(const at::Tensor& samples, const at::Tensor& data)
{
    require(samples.dim() >= 2 && data.dim() == samples.dim() && samples.sizes().slice(1) == data.sizes().slice(1),
            "nearest training image: samples and data must have the same item shape");
    require(data.size(0) >= 1 && samples.size(0) >= 1, "nearest training image: empty samples or data");
    const int64_t n = samples.size(0), m = data.size(0);
    auto x = samples.to(at::kCPU, at::kDouble).reshape({n, -1});
    const double d = double(x.size(1));
    auto best = at::full({n}, INFINITY, at::kDouble);
    auto index = at::zeros({n}, at::kLong);
    constexpr int64_t kChunk = 4096;
    for (int64_t start = 0; start < m; start += kChunk) {
        auto y = data.narrow(0, start, std::min(kChunk, m - start)).to(at::kCPU, at::kDouble).reshape({-1, x.size(1)});
        // ‖x − y‖² = ‖x‖² − 2 x·y + ‖y‖², clamped at 0 against rounding.
        auto sq = (x.square().sum(1, true) - 2 * x.matmul(y.t()) + y.square().sum(1).unsqueeze(0)).clamp_min(0);
        auto [value, where] = sq.min(1);
        auto better = value < best;
        best = at::where(better, value, best);
        index = at::where(better, where + start, index);
    }
    return {at::sqrt(best / d), index};
}

} // namespace ds
