#pragma once
// Still images of a trajectory for export, built on ds::tileImages: the batch at one frame as
// a grid, one sample's path as a strip, frames × samples as a contact sheet, and every frame
// as an animation source. All return uint8 [H, W, C] (RGB or gray) ready for ds::savePng.
// 2D point data draws as scatter plots: a frame is one plot of the batch, a strip the path of
// one point, a contact sheet one plot per kept frame. Labels (t of each frame) use the pixel
// font of frame_labels.h.
#include "core/trajectory.h"
#include "animation.h"
#include "core/data/data_range.h"

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace ds {

// Which tensor of a frame to draw.
enum class FrameContent {
    State,      // x_t
    PredictedX0 // the model's x̂0 (frames without one draw x_t)
};

struct SheetOptions {
    DataRange range{-1, 1};              // values mapped to 0..255
    FrameContent content = FrameContent::State;
    int64_t maxFrames = 11;              // frames kept, evenly spread, first and last always kept
    int64_t maxSamples = 8;              // contact sheet: samples of the batch, from the first
    int64_t scale = 1;                   // nearest-neighbour upscaling
    bool labels = false;                 // each frame's t under its tile (strips, point plots)
                                         // or left of its row (contact sheets)
};

// The batch at frame i as a grid `columns` wide (0: about square).
at::Tensor frameGrid(const Trajectory& trajectory, int64_t i, DataRange range, int64_t columns = 0,
                     int64_t scale = 1, FrameContent content = FrameContent::State);

// Sample `sample` of the batch across up to maxFrames frames, left to right in frame order.
at::Tensor trajectoryStrip(const Trajectory& trajectory, int64_t sample, const SheetOptions& options);

// One row per kept frame, one column per sample (up to maxSamples).
at::Tensor contactSheet(const Trajectory& trajectory, const SheetOptions& options);

// Every frame as a grid, for saveGif / saveMp4. The sequence shares the trajectory's frames
// (copying a Trajectory copies tensor handles, not pixels), so it stays valid on its own.
// `labels`: a band under each frame says its t ("t=250"), the same height in every frame.
FrameSequence trajectoryAnimation(const Trajectory& trajectory, DataRange range, int64_t columns = 0,
                                  FrameContent content = FrameContent::State, bool labels = false);

} // namespace ds
