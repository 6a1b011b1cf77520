#pragma once
// NumPy .npy files (format 1.0/2.0/3.0, C order, little-endian): what diffscope writes loads
// with numpy.load, and what numpy.save writes loads here.
#include <ATen/core/Tensor.h>

#include <string>

namespace ds {

// Writes a CPU copy of `t` (float32/64, float16, int64/32, uint8, bool) atomically
// (temp file + rename). Throws ds::Error naming the file on failure.
void saveNpy(const std::string& path, const at::Tensor& t);

// Reads a .npy into a tensor of the matching dtype. Throws ds::Error naming the file and the
// problem for a bad magic, an unsupported dtype, Fortran order or a size that does not match.
at::Tensor loadNpy(const std::string& path);

} // namespace ds
