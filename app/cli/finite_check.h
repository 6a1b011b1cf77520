#pragma once
// A sample with NaN or Inf in it is a failed run, not a result: say how many and write nothing.
#include "models/error.h"

#include <ATen/ATen.h>

#include <string>

namespace ds::cli {

inline void requireFiniteSamples(const at::Tensor& samples, const std::string& what)
{
    const auto nan = at::isnan(samples).sum().item<int64_t>();
    const auto inf = at::isinf(samples).sum().item<int64_t>();
    require(nan == 0 && inf == 0, what + " came out non-finite: " + std::to_string(nan) + " NaN and "
                                      + std::to_string(inf) + " Inf of " + std::to_string(samples.numel())
                                      + " values (a diverging model or sampler?); nothing written");
}

} // namespace ds::cli
