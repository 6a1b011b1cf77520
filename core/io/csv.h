#pragma once
// Plain CSV tables: a header row, then one row per table row, '.' decimals, full precision.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace ds {

// Writes `columns` (header names) over `table` [R, C] atomically; C must match the names.
void saveCsv(const std::string& path, const std::vector<std::string>& columns, const at::Tensor& table);

} // namespace ds
