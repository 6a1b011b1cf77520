#pragma once
// MP4 export through OpenCV videoio (FFmpeg backend, MPEG-4 part 2 'mp4v'). Frames are padded
// to even sizes (the codec needs them) with the edge colour.
#include "animation.h"

namespace ds {

// False in a build without OpenCV (saveMp4 then throws ds::Error saying so).
bool videoExportAvailable();

// Writes the frames to `path` atomically (temp file with an .mp4 name in the same folder,
// fsync, rename). Throws ds::Error naming the file when OpenCV cannot encode or write.
ExportResult saveMp4(const std::string& path, const FrameSequence& frames, const AnimationOptions& options = {},
                     const ExportProgress& progress = {}, const StopToken* stop = nullptr);

} // namespace ds
