#pragma once
// bf16 autocast on CUDA for the scope's lifetime (no loss scaling needed for bf16). A no-op
// when off. The API moved between LibTorch 1.13 and 2.4+; this file hides the difference.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace ds {

class MixedPrecisionScope {
public:
    explicit MixedPrecisionScope(bool enabled) : enabled_(enabled)
    {
        if (!enabled_)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
#endif
    }
    ~MixedPrecisionScope()
    {
        if (!enabled_)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
        at::autocast::set_enabled(false);
#endif
        at::autocast::clear_cache();
    }
    MixedPrecisionScope(const MixedPrecisionScope&) = delete;
    MixedPrecisionScope& operator=(const MixedPrecisionScope&) = delete;

private:
    bool enabled_;
};

} // namespace ds
