#pragma once
// Animated GIF export through giflib. Gray frames use an exact 256-level palette; colour
// frames a fixed 6×7×6 RGB palette with 4×4 ordered (Bayer) dithering. A fixed palette and a
// position-only dither pattern keep still regions still from frame to frame (adaptive
// palettes and error diffusion make noise-to-data animations flicker).
#include "animation.h"

namespace ds {

// False in a build without giflib (saveGif then throws ds::Error saying so).
bool gifExportAvailable();

// Writes the frames to `path` atomically (temp file in the same folder, fsync, rename).
// Throws ds::Error naming the file on bad frames or a failed write; a cancelled run leaves
// any previous file untouched.
ExportResult saveGif(const std::string& path, const FrameSequence& frames, const AnimationOptions& options = {},
                     const ExportProgress& progress = {}, const StopToken* stop = nullptr);

} // namespace ds
