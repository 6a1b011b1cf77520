#pragma once
// The safetensors format (huggingface/safetensors): an 8-byte little-endian u64 N, N bytes of
// UTF-8 JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the byte buffer the offsets point into. Reading it runs no code, unlike a pickle.
#include "core/io/tensor_map.h"

#include <c10/core/ScalarType.h>

#include <functional>
#include <map>
#include <string>

namespace ds {

// Reads every tensor; floating tensors are converted to `floatType` (F16/BF16/F32/F64 in the
// file), integer/bool ones keep their dtype. Throws ds::Error naming the file and the problem.
TensorMap readSafetensors(const std::string& path, at::ScalarType floatType = at::kFloat);
std::map<std::string, std::string> readSafetensorsMetadata(const std::string& path); // "__metadata__"
// Every tensor's name, dtype and shape as meta tensors (no data), from the header alone,
// checked as readSafetensors checks it.
TensorMap readSafetensorsLayout(const std::string& path);
// Copies each tensor into `destination(name)` (a CPU tensor of the same shape; floating data is
// converted to its dtype), one at a time, and releases the file's pages behind each tensor once
// copied: a model loaded this way holds one copy of its weights, not two. Tensors whose
// destination is undefined are skipped. Throws ds::Error naming the file and the tensor.
void readSafetensorsInto(const std::string& path, const std::function<at::Tensor(const std::string& name)>& destination);
// Writes atomically (core/atomic_file.h), tensors in name order, CPU contiguous copies.
void writeSafetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace ds
