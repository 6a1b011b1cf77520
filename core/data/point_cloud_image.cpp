#include "point_cloud_image.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

constexpr uint8_t kBackground = 40; // the gap colour of ds::tileImages
constexpr uint8_t kAxis = 90;
constexpr uint8_t kInside[3] = {120, 200, 255};
constexpr uint8_t kOutside[3] = {255, 80, 60};

void paint(uint8_t* rgb, int64_t size, int64_t x, int64_t y, const uint8_t colour[3])
{
    for (int64_t dy = 0; dy < 2; ++dy)
        for (int64_t dx = 0; dx < 2; ++dx) {
            const int64_t px = std::clamp<int64_t>(x + dx, 0, size - 1), py = std::clamp<int64_t>(y + dy, 0, size - 1);
            std::copy(colour, colour + 3, rgb + (py * size + px) * 3);
        }
}

} // namespace

bool isPointBatch(const at::Tensor& batch)
{
    if (!batch.defined() || batch.dim() < 2 || batch.size(1) != 2)
        return false;
    return batch.dim() == 2 || (batch.dim() == 4 && batch.size(2) == 1 && batch.size(3) == 1);
}

double pointCloudExtent(DataRange range) { return std::max({4.0, std::abs(range.lo), std::abs(range.hi)}); }

at::Tensor pointCloudImage(const at::Tensor& batch, double extent, int64_t size)
{
    require(isPointBatch(batch), "a point cloud image needs [N, 2] points");
    require(extent > 0 && size >= 8 && size <= 8192, "point cloud image: bad extent or size");
    auto image = at::full({size, size, 3}, int64_t(kBackground), at::kByte);
    auto* rgb = image.data_ptr<uint8_t>();
    const double pixelsPerUnit = (size - 2) / (2.0 * extent);
    const auto middle = int64_t(extent * pixelsPerUnit); // the pixel of coordinate 0
    for (int64_t i = 0; i < size; ++i) // axes through the origin
        for (int64_t c = 0; c < 3; ++c)
            rgb[(middle * size + i) * 3 + c] = rgb[(i * size + middle) * 3 + c] = kAxis;
    const auto p = batch.detach().reshape({batch.size(0), 2}).to(at::kCPU, at::kDouble).contiguous();
    const double* xy = p.data_ptr<double>();
    for (int64_t i = 0; i < p.size(0); ++i) {
        const double x = xy[2 * i], y = xy[2 * i + 1];
        if (!std::isfinite(x) || !std::isfinite(y))
            continue;
        const bool inside = std::abs(x) <= extent && std::abs(y) <= extent;
        // Image rows grow downwards, so y is flipped; off-plot points sit on the border.
        const double cx = std::clamp(x, -extent, extent), cy = std::clamp(y, -extent, extent);
        paint(rgb, size, int64_t((cx + extent) * pixelsPerUnit), int64_t((extent - cy) * pixelsPerUnit),
              inside ? kInside : kOutside);
    }
    return image;
}

} // namespace ds
