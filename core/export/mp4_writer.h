#pragma once
// MP4 export through OpenCV videoio (FFmpeg backend): H.264 ('avc1', what browsers, slides and
// papers' players expect) where the build's FFmpeg has an H.264 encoder, else MPEG-4 Part 2
// ('mp4v'); ExportResult::codec says which. Frames are padded to even sizes (the codecs need
// them) with the edge colour.
#include "animation.h"

namespace ds {

// False in a build without OpenCV (saveMp4 then throws ds::Error saying so).
bool videoExportAvailable();

// The codecs saveMp4 tries, in order of preference, as OpenCV fourcc strings.
inline constexpr const char* kMp4Codecs[] = {"avc1", "mp4v"};

// Writes the frames to `path` atomically (temp file with an .mp4 name in the same folder,
// fsync, rename). Throws ds::Error naming the file when OpenCV cannot encode or write.
ExportResult saveMp4(const std::string& path, const FrameSequence& frames, const AnimationOptions& options = {},
                     const ExportProgress& progress = {}, const StopToken* stop = nullptr);

} // namespace ds
