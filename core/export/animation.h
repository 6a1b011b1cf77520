#pragma once
// Animations for export: a sequence of frames produced on demand and written as GIF (giflib)
// or MP4 (OpenCV videoio). Frames are uint8 [H, W, C], C = 1 (gray) or 3 (RGB), all one size,
// asked for in order and one at a time, so a T = 1000 trajectory is never held twice.
#include "core/stop_token.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>

namespace ds {

struct FrameSequence {
    int64_t count = 0;                          // number of frames
    std::function<at::Tensor(int64_t i)> frame; // frame i, uint8 [H, W, 1|3]
};

struct AnimationOptions {
    double fps = 20;    // frames per second; GIF delays are whole centiseconds, round(100 / fps) ≥ 2
    int64_t scale = 1;  // nearest-neighbour upscaling (keeps pixels crisp); 1..32
    bool loop = true;   // GIF: loop forever (NETSCAPE2.0 application extension)
};

// Called after each frame is written with (frames done, total); return false to stop.
using ExportProgress = std::function<bool(int64_t done, int64_t total)>;

struct ExportResult {
    int64_t frames = 0;     // frames written
    bool cancelled = false; // stopped by the progress callback or the stop token: no file written
    std::string codec;      // what encoded it: "GIF", "H.264 (avc1)", "MPEG-4 Part 2 (mp4v)"
};

// Checks the options and the sequence (count ≥ 1, fps in (0, 100], scale 1..32); throws
// ds::Error naming `path`.
void validateAnimation(const std::string& path, const FrameSequence& frames, const AnimationOptions& options);

// Frame i checked (uint8 [H, W, 1|3], the size of `first` if given) and upscaled by `scale`.
at::Tensor preparedFrame(const std::string& path, const FrameSequence& frames, int64_t i, int64_t scale,
                         const at::Tensor& first = {});

} // namespace ds
