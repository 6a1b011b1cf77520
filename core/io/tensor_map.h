#pragma once
// A flat set of named tensors: a state dict as read from safetensors or a PyTorch `.bin`.
// std::map keeps names sorted, the order the safetensors writer stores them in.
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace ds {
using TensorMap = std::map<std::string, at::Tensor>;
}
