#include "mp4_writer.h"

#include "models/error.h"
#include "core/io/atomic_file.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

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

std::string codecName(const std::string& fourcc)
{
    return fourcc == "avc1" ? "H.264 (avc1)" : fourcc == "mp4v" ? "MPEG-4 Part 2 (mp4v)" : fourcc;
}

// The first codec of kMp4Codecs this OpenCV can open for `temp`; names it in `codec`.
cv::VideoWriter openWriter(const std::string& temp, const std::string& path, double fps, cv::Size size, std::string& codec)
{
    for (const std::string fourcc : kMp4Codecs) {
        cv::VideoWriter writer(temp, cv::VideoWriter::fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]), fps, size, true);
        if (writer.isOpened()) {
            codec = codecName(fourcc);
            return writer;
        }
        std::error_code ignored; // a codec that failed may have left an empty file
        std::filesystem::remove(temp, ignored);
    }
    throw Error(path + ": OpenCV cannot write MP4 files here (neither H.264 nor MPEG-4 Part 2; no FFmpeg backend?)");
}

// An MP4 is a sequence of top-level boxes (ISO 14496-12 §4.2: 32-bit big-endian size, type;
// size 1: a 64-bit size follows; size 0: to the end of the file). A complete file has its
// 'mdat' and its index 'moov', and the sizes add up to the file exactly; a write cut short
// leaves an 'mdat' that claims more bytes than exist, and no 'moov'.
void requireCompleteMp4(const std::string& temp, const std::string& path)
{
    const auto incomplete = path + ": the MP4 file came out incomplete (disk full or a failed write?); nothing was replaced";
    std::ifstream in(temp, std::ios::binary);
    const auto size = std::filesystem::file_size(temp);
    bool moov = false, mdat = false;
    for (uint64_t at = 0; at < size;) {
        unsigned char head[16];
        require(size - at >= 8 && in.seekg(std::streamoff(at)).read(reinterpret_cast<char*>(head), 8), incomplete);
        uint64_t box = 0;
        for (int i = 0; i < 4; ++i)
            box = box << 8 | head[i];
        const std::string type(reinterpret_cast<char*>(head + 4), 4);
        if (box == 1) {
            require(size - at >= 16 && in.read(reinterpret_cast<char*>(head + 8), 8), incomplete);
            box = 0;
            for (int i = 8; i < 16; ++i)
                box = box << 8 | head[i];
        } else if (box == 0) {
            box = size - at;
        }
        require(box >= 8 && box <= size - at, incomplete);
        moov = moov || type == "moov";
        mdat = mdat || type == "mdat";
        at += box;
    }
    require(moov && mdat, incomplete);
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
        cv::VideoWriter writer = openWriter(temp, path, options.fps, size, result.codec);
        writeFrames(writer, path, frames, options, first, progress, stop, result);
        writer.release();
        require(std::filesystem::exists(temp) && std::filesystem::file_size(temp) > 0,
                path + ": the MP4 encoder wrote nothing");
        // FFmpeg reports no failed write (a full disk leaves a file without its index), so the
        // file's structure is checked before it replaces anything.
        if (!result.cancelled)
            requireCompleteMp4(temp, path);
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
