#pragma once
// Checks on tensors that came from a file we do not trust.
#include <ATen/core/Tensor.h>

#include <string>

namespace ds {

// Throws ds::Error unless the tensor's view fits inside its storage. A TorchScript archive can
// declare a tensor larger than the record that backs it; LibTorch loads it and segfaults at the
// first read, so every loaded tensor is checked before use. `what` names it in the message.
void requireStorageCovers(const at::Tensor& t, const std::string& what);

// Throws ds::Error if a floating-point tensor holds NaN or ±Inf.
void requireFinite(const at::Tensor& t, const std::string& what);

} // namespace ds
