#include "image_io.h"
#include "tile_grid.h"

#include "core/data/point_cloud_image.h"

#include "atomic_file.h"
#include "models/error.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#if DIFFSCOPE_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace ds {

#if DIFFSCOPE_HAVE_OPENCV
bool imageIoAvailable() { return true; }

namespace {

// A 40-byte file may claim 60000 × 60000 pixels, which OpenCV would allocate (10 GB) before it
// finds the data missing. OpenCV reads its cap once, from the environment, at the first decode:
// set ours there unless the user chose one. 2^26 pixels (8192²) is far above any image a
// diffusion lab resizes to its model.
void capDecodedPixels()
{
    static const bool once = [] {
        ::setenv("OPENCV_IO_MAX_IMAGE_PIXELS", "67108864", /*overwrite=*/0);
        return true;
    }();
    (void)once;
}

} // namespace

at::Tensor loadImage(const std::string& path, const ImageLoadOptions& options)
{
    require(std::filesystem::exists(path), path + ": no such file");
    capDecodedPixels();
    cv::Mat image;
    try {
        image = cv::imread(path, options.grayscale ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) { // the pixel cap, a decoder's own assertion
        throw Error(path + ": not an image OpenCV can decode (" + firstMeaningfulLine(e.err) + ")");
    }
    require(!image.empty(), path + ": not an image OpenCV can decode");
    if (options.size > 0) {
        const double scale = double(options.size) / double(std::max(image.rows, image.cols));
        // At least one pixel per side: a 1 × 5000 strip resized to 28 keeps one row.
        const auto side = [scale](int n) { return std::max(1, int(std::lround(n * scale))); };
        cv::Mat resized;
        cv::resize(image, resized, cv::Size(side(image.cols), side(image.rows)), 0, 0,
                   scale < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
        image = resized;
    }
    if (image.channels() == 3)
        cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    auto hwc = at::from_blob(image.data, {image.rows, image.cols, image.channels()},
                             {int64_t(image.step[0]), int64_t(image.channels()), 1}, at::kByte);
    auto chw = hwc.permute({2, 0, 1}).to(at::kFloat); // copies out of the cv::Mat
    return chw / 255.0 * options.range.width() + options.range.lo;
}

void savePng(const std::string& path, const at::Tensor& image)
{
    require(image.dim() == 3 && (image.size(2) == 1 || image.size(2) == 3) && image.scalar_type() == at::kByte,
            path + ": expected a uint8 [H, W, 1|3] image");
    auto hwc = image.contiguous();
    cv::Mat mat(int(hwc.size(0)), int(hwc.size(1)), hwc.size(2) == 3 ? CV_8UC3 : CV_8UC1, hwc.data_ptr());
    cv::Mat bgr;
    if (hwc.size(2) == 3)
        cv::cvtColor(mat, bgr, cv::COLOR_RGB2BGR);
    else
        bgr = mat;
    std::vector<uchar> bytes;
    require(cv::imencode(".png", bgr, bytes), path + ": PNG encoding failed");
    writeFileAtomically(path, [&](std::ostream& out) { out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size())); });
}
#else
bool imageIoAvailable() { return false; }

at::Tensor loadImage(const std::string& path, const ImageLoadOptions&)
{
    throw Error(path + ": this build has no OpenCV, so it cannot read image files");
}

void savePng(const std::string& path, const at::Tensor&)
{
    throw Error(path + ": this build has no OpenCV, so it cannot write PNG files");
}
#endif

at::Tensor tileImages(const at::Tensor& batch, DataRange range, int64_t columns, int64_t scale)
{
    if (isPointBatch(batch)) // 2D data: one scatter plot of the whole batch
        return pointCloudImage(batch, pointCloudExtent(range), 256 * std::clamp<int64_t>(scale, 1, 8));
    require(batch.dim() == 4 && (batch.size(1) == 1 || batch.size(1) == 3), "tiling needs [N, 1|3, H, W]");
    require(scale >= 1, "tile scale must be >= 1");
    const int64_t n = batch.size(0), c = batch.size(1), h = batch.size(2) * scale, w = batch.size(3) * scale;
    const auto g = TileGrid::forBatch(n, h, w, columns);
    auto pixels = ((batch.detach().cpu().to(at::kFloat) - range.lo) / range.width() * 255.0).round().clamp(0, 255);
    if (scale > 1) // nearest-neighbour upscaling keeps pixels crisp
        pixels = pixels.repeat_interleave(scale, 2).repeat_interleave(scale, 3);
    auto grid = at::full({g.height(), g.width(), c}, 40.0, at::kFloat);
    for (int64_t i = 0; i < n; ++i)
        grid.narrow(0, g.originY(i), h).narrow(1, g.originX(i), w).copy_(pixels[i].permute({1, 2, 0}));
    return grid.to(at::kByte);
}

} // namespace ds
