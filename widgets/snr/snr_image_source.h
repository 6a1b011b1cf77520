#pragma once
// The clean images the SNR panel studies: a Fashion-MNIST item or a colour photo (Debian's
// python3-skimage sample images), in x̃0 ∈ [ε, 1], the range of the pixel-aware schedule
// (seed 002). Loaded through core (ds::loadDataset, ds::loadImage); safe off the UI thread.
#include <ATen/core/Tensor.h>
#include <QString>
#include <QStringList>

namespace ds {

// "fashion-mnist:<index>" or an image file path.
QString fashionSource(int index);

// Loads `source` as float32 [1, C, H, W] in [ε, 1]; photos are resized so the longer side is
// `size`. Fashion-MNIST is read once and cached. Throws ds::Error naming the source.
at::Tensor loadSnrImage(const QString& source, double epsilon, int size = 128);

// The skimage sample photos that exist here (astronaut, chelsea, coffee), full paths.
QStringList samplePhotoPaths();

} // namespace ds
