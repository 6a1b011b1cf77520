#pragma once
// PyTorch state dicts saved with torch.save (the zip archive format, PyTorch ≥ 1.6).
#include "core/io/tensor_map.h"

#include <c10/core/ScalarType.h>

#include <string>

namespace ds {

// A PyTorch `.bin`/`.pt` state dict (torch.save zip archive of a flat dict name → tensor) read
// with LibTorch's own unpickler (torch::pickle_load; never executes code). Anything else (a
// module, nested dicts, non-tensor values, the legacy non-zip format) is refused by name.
TensorMap readTorchStateDict(const std::string& path, at::ScalarType floatType = at::kFloat);

} // namespace ds
