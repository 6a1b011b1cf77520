#pragma once
// Static and dynamic thresholding of a model's x̂0 (SamplerOptions' clip and threshold fields).
#include "core/data/data_range.h"

#include <ATen/core/Tensor.h>

namespace ds {

struct SamplerOptions;

// Dynamic thresholding (Imagen, Saharia et al. 2022 §2.3): s = the p-quantile of |x̂0| per
// sample, s ← clamp(s, 1, max), x̂0 ← clamp(x̂0, −s, s)/s. Static: clamp to ±clipRange, or to
// the data range when clipRange is 0. Returns x0 itself when neither is asked for.
at::Tensor thresholdX0(const at::Tensor& x0, const SamplerOptions& options, DataRange range);

} // namespace ds
