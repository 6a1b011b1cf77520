#pragma once
// Image files through OpenCV (core, imgproc, imgcodecs only). In a build without OpenCV these
// throw ds::Error saying so.
#include "core/data/data_range.h"

#include <ATen/core/Tensor.h>

#include <string>

namespace ds {

bool imageIoAvailable();

struct ImageLoadOptions {
    DataRange range{-1, 1}; // pixel values [0, 255] map to this range
    int64_t size = 0;       // resize (area) so the longer side is `size`; 0 keeps the file's size
    bool grayscale = false;
};

// Loads PNG/JPEG/… as float32 [C, H, W] (C = 3 in RGB order, or 1).
at::Tensor loadImage(const std::string& path, const ImageLoadOptions& options = {});

// Tiles a batch [N, C, H, W] (values in `range`, C = 1 or 3) into one grid image, `columns`
// wide (0: about square), with a 1-pixel gap. Returns uint8 [H', W', C] (RGB). A batch of 2D
// points [N, 2] becomes one scatter plot (ds::pointCloudImage), 256·scale pixels square.
at::Tensor tileImages(const at::Tensor& batch, DataRange range, int64_t columns = 0, int64_t scale = 1);

// Writes a uint8 [H, W, C] image (RGB or gray) as PNG, atomically.
void savePng(const std::string& path, const at::Tensor& image);

} // namespace ds
