#include "tensor_checks.h"

#include "models/error.h"

#include <ATen/ATen.h>

namespace ds {

void requireStorageCovers(const at::Tensor& t, const std::string& what)
{
    if (!t.defined() || t.numel() == 0)
        return;
    require(t.has_storage(), what + ": tensor has no storage");
    // Highest element offset the view can touch: offset + Σ (size_i − 1)·stride_i.
    int64_t last = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); ++d) {
        require(t.stride(d) >= 0, what + ": negative stride");
        last += (t.size(d) - 1) * t.stride(d);
    }
    const auto needed = (last + 1) * int64_t(t.element_size());
    const auto held = int64_t(t.storage().nbytes());
    require(needed <= held, what + ": declares " + std::to_string(needed) + " bytes but its record holds only "
                                + std::to_string(held) + " (truncated or forged file)");
}

void requireFinite(const at::Tensor& t, const std::string& what)
{
    if (!t.defined() || t.numel() == 0 || !at::isFloatingType(t.scalar_type()))
        return;
    require(at::isfinite(t).all().item<bool>(), what + ": holds NaN or Inf values");
}

} // namespace ds
