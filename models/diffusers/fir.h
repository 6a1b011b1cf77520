#pragma once
// The FIR resampling of diffusers' Skip blocks (upfirdn2d_native with the default kernel):
// k = (1, 3, 3, 1)ᵀ(1, 3, 3, 1) / 64, applied per channel.
#include <ATen/core/Tensor.h>

namespace ds::diffusers {

// Zeros inserted after every sample (×2), padded (2 before, 1 after), filtered with 4k.
at::Tensor firUpsample2x(const at::Tensor& x);
// Padded (1, 1), filtered with k, every second sample kept.
at::Tensor firDownsample2x(const at::Tensor& x);

} // namespace ds::diffusers
