#include "gif_writer.h"

#include "models/error.h"
#include "core/io/atomic_file.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#if DIFFSCOPE_HAVE_GIF
#include <gif_lib.h>
#endif

namespace ds {

#if DIFFSCOPE_HAVE_GIF
namespace {

constexpr int kRedLevels = 6, kGreenLevels = 7, kBlueLevels = 6; // 252 colours ≤ 256
// 4×4 Bayer matrix: thresholds (m + 0.5)/16 − 0.5 spread the rounding error over a tile.
constexpr std::array<int, 16> kBayer{0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5};

struct GifCloser {
    void operator()(GifFileType* gif) const
    {
        int error = 0;
        EGifCloseFile(gif, &error);
    }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

std::string gifMessage(int code) { return GifErrorString(code) ? GifErrorString(code) : "unknown giflib error"; }

void check(int rc, GifFileType* gif, const std::string& path, const char* what)
{
    require(rc != GIF_ERROR, path + ": GIF " + what + " failed: " + gifMessage(gif->Error));
}

// Gray: entry v is (v, v, v). Colour: entry r·42 + g·6 + b is the level triple scaled to 0..255.
std::unique_ptr<ColorMapObject, void (*)(ColorMapObject*)> makePalette(bool gray)
{
    std::array<GifColorType, 256> colours{};
    for (int i = 0; i < 256; ++i) {
        if (gray) {
            colours[size_t(i)] = {GifByteType(i), GifByteType(i), GifByteType(i)};
            continue;
        }
        const int r = i / (kGreenLevels * kBlueLevels), g = (i / kBlueLevels) % kGreenLevels, b = i % kBlueLevels;
        if (r < kRedLevels)
            colours[size_t(i)] = {GifByteType(r * 255 / (kRedLevels - 1)), GifByteType(g * 255 / (kGreenLevels - 1)),
                                  GifByteType(b * 255 / (kBlueLevels - 1))};
    }
    return {GifMakeMapObject(256, colours.data()), GifFreeMapObject};
}

// Ordered dithering to `levels` levels: q = round(v/255·(L−1) + d), d the Bayer offset in (−½, ½).
int quantize(int value, int levels, double offset)
{
    const double q = std::floor(double(value) / 255.0 * (levels - 1) + 0.5 + offset);
    return std::clamp(int(q), 0, levels - 1);
}

std::vector<GifByteType> indexFrame(const at::Tensor& frame)
{
    const int64_t h = frame.size(0), w = frame.size(1), c = frame.size(2);
    const auto* px = frame.data_ptr<uint8_t>();
    std::vector<GifByteType> out(size_t(h * w));
    for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
            const auto* p = px + (y * w + x) * c;
            const double d = (kBayer[size_t((y % 4) * 4 + x % 4)] + 0.5) / 16.0 - 0.5;
            out[size_t(y * w + x)] = c == 1 ? p[0]
                                            : GifByteType(quantize(p[0], kRedLevels, d) * kGreenLevels * kBlueLevels
                                                          + quantize(p[1], kGreenLevels, d) * kBlueLevels
                                                          + quantize(p[2], kBlueLevels, d));
        }
    return out;
}

void putLoopExtension(GifFileType* gif, const std::string& path)
{
    static const GifByteType kApp[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
    static const GifByteType kLoopForever[] = {1, 0, 0};
    check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, path, "extension");
    check(EGifPutExtensionBlock(gif, sizeof kApp, kApp), gif, path, "extension");
    check(EGifPutExtensionBlock(gif, sizeof kLoopForever, kLoopForever), gif, path, "extension");
    check(EGifPutExtensionTrailer(gif), gif, path, "extension");
}

void putFrame(GifFileType* gif, const at::Tensor& frame, int delayCs, const std::string& path)
{
    GraphicsControlBlock gcb{};
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.DelayTime = delayCs;
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    const auto len = EGifGCBToExtension(&gcb, ext);
    check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(len), ext), gif, path, "frame delay");
    const int h = int(frame.size(0)), w = int(frame.size(1));
    check(EGifPutImageDesc(gif, 0, 0, w, h, false, nullptr), gif, path, "image header");
    auto indices = indexFrame(frame);
    for (int y = 0; y < h; ++y)
        check(EGifPutLine(gif, indices.data() + size_t(y) * size_t(w), w), gif, path, "write");
}

// Opens the temp file and writes the screen header for frames shaped like `first`.
GifHandle openGif(const std::string& temp, const std::string& path, const at::Tensor& first, bool loop)
{
    int error = 0;
    GifHandle gif(EGifOpenFileName(temp.c_str(), false, &error));
    require(bool(gif), path + ": cannot create the GIF: " + gifMessage(error));
    EGifSetGifVersion(gif.get(), true); // GIF89a: needed for delays and looping
    auto palette = makePalette(first.size(2) == 1);
    check(EGifPutScreenDesc(gif.get(), int(first.size(1)), int(first.size(0)), 8, 0, palette.get()), gif.get(),
          path, "header");
    if (loop)
        putLoopExtension(gif.get(), path);
    return gif;
}

bool keepGoing(const ExportProgress& progress, const StopToken* stop, int64_t done, int64_t total)
{
    if (stop && stop->stopRequested())
        return false;
    return !progress || progress(done, total);
}

} // namespace

bool gifExportAvailable() { return true; }

ExportResult saveGif(const std::string& path, const FrameSequence& frames, const AnimationOptions& options,
                     const ExportProgress& progress, const StopToken* stop)
{
    validateAnimation(path, frames, options);
    const int delay = std::max(2, int(std::lround(100.0 / options.fps)));
    const auto temp = tempPathFor(path);
    ExportResult result;
    result.codec = "GIF";
    try {
        auto first = preparedFrame(path, frames, 0, options.scale);
        auto gif = openGif(temp, path, first, options.loop);
        for (int64_t i = 0; i < frames.count; ++i) {
            putFrame(gif.get(), i == 0 ? first : preparedFrame(path, frames, i, options.scale, first), delay, path);
            result.frames = i + 1;
            if (!keepGoing(progress, stop, i + 1, frames.count)) {
                result.cancelled = i + 1 < frames.count;
                break;
            }
        }
        int error = 0;
        const int rc = EGifCloseFile(gif.release(), &error);
        require(rc != GIF_ERROR, path + ": GIF write failed: " + gifMessage(error));
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        throw;
    }
    commitOrDiscard(temp, path, !result.cancelled);
    return result;
}
#else
bool gifExportAvailable() { return false; }

ExportResult saveGif(const std::string& path, const FrameSequence&, const AnimationOptions&, const ExportProgress&,
                     const StopToken*)
{
    throw Error(path + ": this build has no giflib, so it cannot write GIF files");
}
#endif

} // namespace ds
