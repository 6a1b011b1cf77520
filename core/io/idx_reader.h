#pragma once
// IDX files (the MNIST / Fashion-MNIST format), plain or gzipped:
//   bytes 0–1 zero, byte 2 type (0x08 = uint8), byte 3 number of dims, then one big-endian
//   uint32 per dim, then the data. Every field is checked against what the file holds.
#include <ATen/core/Tensor.h>

#include <string>

namespace ds {

// Reads a uint8 IDX file into a uint8 tensor of its dimensions. Throws ds::Error naming the
// file for a bad magic, a wrong type, an implausible dimension, or data shorter or longer than
// the header declares.
at::Tensor readIdx(const std::string& path);

} // namespace ds
