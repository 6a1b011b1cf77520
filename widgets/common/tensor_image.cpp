#include "tensor_image.h"

#include "widgets/comparison/grid_layout.h"

#include "core/data/point_cloud_image.h"
#include "core/io/image_io.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {

QImage imageFromHwc(const at::Tensor& hwc)
{
    auto t = hwc.contiguous();
    const int h = int(t.size(0)), w = int(t.size(1)), c = int(t.size(2));
    const auto format = c == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8;
    QImage view(t.data_ptr<uint8_t>(), w, h, qsizetype(w) * c, format);
    return view.copy(); // the view borrows the tensor's memory; the copy owns its own
}

QImage imageFromChw(const at::Tensor& chw, DataRange range)
{
    auto bytes = ((chw.detach().to(at::kCPU, at::kFloat) - range.lo) / range.width() * 255.0).round().clamp(0, 255);
    return imageFromHwc(bytes.to(at::kByte).permute({1, 2, 0}));
}

QImage batchImage(const at::Tensor& batch, DataRange range, int64_t columns)
{
    if (isPointBatch(batch))
        return imageFromHwc(pointCloudImage(batch, pointCloudExtent(range)));
    auto b = batch.detach();
    if (b.size(1) != 1 && b.size(1) != 3)
        b = b.narrow(1, 0, 1);
    b = b.to(at::kCPU, at::kFloat).contiguous(); // free when it already is
    const int n = int(b.size(0)), c = int(b.size(1)), h = int(b.size(2)), w = int(b.size(3));
    const auto grid = GridLayout::forBatch(n, h, w, int(columns));
    QImage image(grid.imageSize(), c == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
    image.fill(QColor(40, 40, 40)); // the gap colour of ds::tileImages
    const float* px = b.data_ptr<float>();
    const float lo = float(range.lo), scale = float(255.0 / range.width());
    for (int s = 0; s < n; ++s) {
        const QPoint origin = grid.tileOrigin(s);
        for (int y = 0; y < h; ++y) {
            uchar* line = image.scanLine(origin.y() + y) + origin.x() * c;
            for (int x = 0; x < w; ++x)
                for (int ch = 0; ch < c; ++ch) {
                    const float v = std::nearbyint((px[((s * c + ch) * h + y) * w + x] - lo) * scale);
                    line[x * c + ch] = uchar(v > 0.0f ? (v < 255.0f ? v : 255.0f) : 0.0f); // NaN → 0
                }
        }
    }
    return image;
}

} // namespace ds
