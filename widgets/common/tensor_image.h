#pragma once
// Tensors to QImages. QImage(uchar*, …) does not own its buffer, so every image made here is a
// deep copy that outlives the tensor.
#include "core/data/data_range.h"

#include <ATen/core/Tensor.h>
#include <QImage>

namespace ds {

// uint8 [H, W, 1|3] (gray or RGB) → Grayscale8 / RGB888 QImage (copied).
QImage imageFromHwc(const at::Tensor& hwc);

// One image [C, H, W] (C = 1 or 3) in `range` → Grayscale8 / RGB888, one screen pixel per value.
QImage imageFromChw(const at::Tensor& chw, DataRange range);

// A batch [N, C, H, W] in `range` tiled as ds::tileImages tiles it (GridLayout: 1-pixel gaps,
// `columns` wide, 0: about square), v ↦ round((v − lo)/(hi − lo) · 255) clamped to 0..255.
// Channels other than 1 or 3 show channel 0 as gray. This is the scrubbing path: one float
// copy and one plain loop, no chain of tensor ops (each a parallel region that stalls when the
// cores are busy); exports use ds::tileImages itself. 2D points ([N, 2, 1, 1]) draw as one
// scatter plot (ds::pointCloudImage).
QImage batchImage(const at::Tensor& batch, DataRange range, int64_t columns = 0);

} // namespace ds
