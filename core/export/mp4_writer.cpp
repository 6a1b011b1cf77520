#include "mp4_writer.h"

#include "../error.h"
#include "core/io/atomic_file.h"

#include <ATen/ATen.h>

#include <filesystem>

#if DIFFSCOPE_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#endif

namespace ds {

#if DIFFSCOPE_HAVE_OPENCV
namespace {

// RGB or gray uint8 [H, W, C] → BGR cv::Mat padded by replicating the edge to even W and H.
cv::Mat toEvenBgr(const at::Tensor& frame)
{
    const int h = int(frame.size(0)), w = int(frame.size(1)), c = int(frame.size(2));
    cv::Mat view(h, w, c == 3 ? CV_8UC3 : CV_8UC1, frame.data_ptr());
    cv::Mat bgr;
    cv::cvtColor(view, bgr, c == 3 ? cv::COLOR_RGB2BGR : cv::COLOR_GRAY2BGR); // copies out of the tensor
    if (h % 2 == 0 && w % 2 == 0)
        return bgr;
    cv::Mat padded;
    cv::copyMakeBorder(bgr, padded, 0, h % 2, 0, w % 2, cv::BORDER_REPLICATE);
    return padded;
}

void writeFrames(cv::VideoWriter& writer, const std::string& path, const FrameSequence& frames,
                 const AnimationOptions& options, const at::Tensor& first, const ExportProgress& progress,
                 const StopToken* stop, ExportResult& result)
{
    for (int64_t i = 0; i < frames.count; ++i) {
        writer.write(toEvenBgr(i == 0 ? first : preparedFrame(path, frames, i, options.scale, first)));
        result.frames = i + 1;
        const bool go = !(stop && stop->stopRequested()) && (!progress || progress(i + 1, frames.count));
        if (!go) {
            result.cancelled = i + 1 < frames.count;
            return;
        }
    }
}

} // namespace

bool videoExportAvailable() { return true; }

ExportResult saveMp4(const std::string& path, const FrameSequence& frames, const AnimationOptions& options,
                     const ExportProgress& progress, const StopToken* stop)
{
    validateAnimation(path, frames, options);
    // OpenCV picks the container from the file name, so the temp file must end in .mp4 too.
    const auto temp = tempPathFor(path) + ".mp4";
    ExportResult result;
    std::error_code ignored;
    try {
        auto first = preparedFrame(path, frames, 0, options.scale);
        const cv::Size size(int(first.size(1) + first.size(1) % 2), int(first.size(0) + first.size(0) % 2));
        cv::VideoWriter writer(temp, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), options.fps, size, true);
        require(writer.isOpened(), path + ": OpenCV cannot write MP4 (mp4v) files here (no FFmpeg backend?)");
        writeFrames(writer, path, frames, options, first, progress, stop, result);
        writer.release();
        require(std::filesystem::exists(temp) && std::filesystem::file_size(temp) > 0,
                path + ": the MP4 encoder wrote nothing");
    } catch (const cv::Exception& e) {
        std::filesystem::remove(temp, ignored);
        throw Error(path + ": MP4 encoding failed: " + e.what());
    } catch (...) {
        std::filesystem::remove(temp, ignored);
        throw;
    }
    commitOrDiscard(temp, path, !result.cancelled);
    return result;
}
#else
bool videoExportAvailable() { return false; }

ExportResult saveMp4(const std::string& path, const FrameSequence&, const AnimationOptions&, const ExportProgress&,
                     const StopToken*)
{
    throw Error(path + ": this build has no OpenCV, so it cannot write MP4 files");
}
#endif

} // namespace ds
