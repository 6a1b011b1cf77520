#pragma once
// Data sets by name: Fashion-MNIST from Debian's dataset-fashion-mnist (gzipped IDX), the 2D
// toys, and single image files through OpenCV.
#include "data_range.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace ds {

struct Dataset {
    std::string name;
    at::Tensor images; // [M, C, H, W] float32 in `range`
    at::Tensor labels; // [M] int64, or undefined
    DataRange range;
};

struct DatasetOptions {
    int64_t limit = 0;       // keep the first `limit` items (0: all; toys draw 10 000)
    uint64_t seed = 0;       // toys: the draw's seed
    DataRange range{-1, 1};  // images are mapped from [0, 255] to this range
};

// Names: fashion-mnist, fashion-mnist-test, two-moons, 8-gaussians, swiss-roll, checkerboard.
std::vector<std::string> datasetNames();
Dataset loadDataset(const std::string& name, const DatasetOptions& options = {});

// Folder of the Fashion-MNIST IDX files: $DIFFSCOPE_FASHION_MNIST_DIR or
// /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
std::string fashionMnistDir();

// Maps uint8 pixels [0, 255] to float32 in `range`.
at::Tensor bytesToRange(const at::Tensor& bytes, DataRange range);

} // namespace ds
