#pragma once
// Reads back what an exported animation holds, by decoding it (giflib, OpenCV videoio): used
// to check exports in tests and to report them in the GUI.
#include <cstdint>
#include <string>

namespace ds {

struct AnimationInfo {
    int64_t frames = 0;
    int64_t width = 0;
    int64_t height = 0;
    std::string codec; // videos: the stream's fourcc as the decoder reports it ("h264", "FMP4", …)
};

// Decodes every frame of a GIF. Throws ds::Error naming the file if it does not decode.
AnimationInfo probeGif(const std::string& path);
// Decodes every frame of a video OpenCV can read. Throws ds::Error naming the file if none.
AnimationInfo probeVideo(const std::string& path);

} // namespace ds
