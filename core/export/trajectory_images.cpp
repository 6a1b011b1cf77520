#include "trajectory_images.h"

#include "../error.h"
#include "core/data/point_cloud_image.h"
#include "core/io/image_io.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <vector>

namespace ds {
namespace {

// The tensor a frame shows: x_t, or x̂0 where the frame has one.
at::Tensor content(const Trajectory& trajectory, int64_t i, FrameContent what)
{
    if (what == FrameContent::PredictedX0) {
        auto x0 = trajectory.predictedX0(i);
        if (x0.defined())
            return x0;
    }
    return trajectory.frame(i);
}

void requireFrames(const Trajectory& trajectory, const char* what)
{
    require(!trajectory.empty(), std::string(what) + ": the trajectory has no frames");
}

// 2D data: one scatter plot per kept frame, side by side with the 1-pixel gaps of tileImages.
at::Tensor pointCloudSheet(const Trajectory& kept, const SheetOptions& options)
{
    std::vector<at::Tensor> row;
    for (int64_t f = 0; f < kept.size(); ++f) {
        auto plot = tileImages(content(kept, f, options.content), options.range, 0, options.scale);
        if (row.empty())
            row.push_back(at::full({plot.size(0), 1, 3}, 40, at::kByte));
        row.push_back(plot);
        row.push_back(row.front());
    }
    return at::cat(row, 1);
}

} // namespace

at::Tensor frameGrid(const Trajectory& trajectory, int64_t i, DataRange range, int64_t columns, int64_t scale,
                     FrameContent what)
{
    requireFrames(trajectory, "frame grid");
    require(i >= 0 && i < trajectory.size(), "frame grid: frame " + std::to_string(i) + " out of range");
    return tileImages(content(trajectory, i, what), range, columns, scale);
}

at::Tensor trajectoryStrip(const Trajectory& trajectory, int64_t sample, const SheetOptions& options)
{
    requireFrames(trajectory, "trajectory strip");
    const auto kept = trajectory.subsampled(std::max<int64_t>(2, options.maxFrames));
    const int64_t batch = kept.frame(0).size(0);
    require(sample >= 0 && sample < batch,
            "trajectory strip: sample " + std::to_string(sample) + " out of range (batch of " + std::to_string(batch) + ")");
    std::vector<at::Tensor> tiles;
    for (int64_t f = 0; f < kept.size(); ++f)
        tiles.push_back(content(kept, f, options.content)[sample]);
    return tileImages(at::stack(tiles), options.range, int64_t(tiles.size()), options.scale);
}

at::Tensor contactSheet(const Trajectory& trajectory, const SheetOptions& options)
{
    requireFrames(trajectory, "contact sheet");
    require(options.maxSamples >= 1, "contact sheet: at least one sample per row");
    const auto kept = trajectory.subsampled(std::max<int64_t>(2, options.maxFrames));
    if (isPointBatch(kept.frame(0)))
        return pointCloudSheet(kept, options);
    const int64_t samples = std::min(options.maxSamples, kept.frame(0).size(0));
    std::vector<at::Tensor> rows; // row f: the first `samples` images of frame f
    for (int64_t f = 0; f < kept.size(); ++f)
        rows.push_back(content(kept, f, options.content).narrow(0, 0, samples));
    return tileImages(at::cat(rows), options.range, samples, options.scale);
}

FrameSequence trajectoryAnimation(const Trajectory& trajectory, DataRange range, int64_t columns, FrameContent what)
{
    requireFrames(trajectory, "animation");
    FrameSequence sequence;
    sequence.count = trajectory.size();
    sequence.frame = [trajectory, range, columns, what](int64_t i) {
        return tileImages(content(trajectory, i, what), range, columns, 1);
    };
    return sequence;
}

} // namespace ds
