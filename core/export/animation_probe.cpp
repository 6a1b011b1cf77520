#include "animation_probe.h"

#include "models/error.h"

#include <filesystem>

#if DIFFSCOPE_HAVE_GIF
#include <gif_lib.h>
#endif
#if DIFFSCOPE_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>
#endif

namespace ds {

AnimationInfo probeGif(const std::string& path)
{
#if DIFFSCOPE_HAVE_GIF
    require(std::filesystem::exists(path), path + ": no such file");
    int error = 0;
    GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
    require(gif != nullptr, path + ": not a GIF: " + std::string(GifErrorString(error) ? GifErrorString(error) : "?"));
    const int rc = DGifSlurp(gif); // decodes every frame's pixels
    AnimationInfo info{gif->ImageCount, gif->SWidth, gif->SHeight, "gif"};
    const std::string message = GifErrorString(gif->Error) ? GifErrorString(gif->Error) : "?";
    DGifCloseFile(gif, &error);
    require(rc == GIF_OK, path + ": GIF does not decode: " + message);
    return info;
#else
    throw Error(path + ": this build has no giflib, so it cannot read GIF files");
#endif
}

AnimationInfo probeVideo(const std::string& path)
{
#if DIFFSCOPE_HAVE_OPENCV
    require(std::filesystem::exists(path), path + ": no such file");
    cv::VideoCapture capture(path);
    require(capture.isOpened(), path + ": OpenCV cannot open this video");
    AnimationInfo info;
    const auto fourcc = int(capture.get(cv::CAP_PROP_FOURCC));
    for (int shift = 0; shift < 32 && fourcc != 0; shift += 8)
        info.codec.push_back(char((fourcc >> shift) & 0xFF));
    cv::Mat frame;
    while (capture.read(frame)) { // counts decoded frames, not the container's claim
        ++info.frames;
        info.width = frame.cols;
        info.height = frame.rows;
    }
    require(info.frames > 0, path + ": the video has no frames OpenCV can decode");
    return info;
#else
    throw Error(path + ": this build has no OpenCV, so it cannot read video files");
#endif
}

} // namespace ds
