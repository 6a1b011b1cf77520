#include "trajectory_images.h"

#include "models/error.h"
#include "frame_labels.h"
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

// Pixels of padding around a label at `scale`.
int64_t labelPad(int64_t scale) { return 2 * scale; }

// The labels of a row of tiles `tileWidth` wide (tile f from x = 1 + f·(tileWidth + 1), the
// layout of tileImages), centred in a band under the row.
at::Tensor withLabelsBelow(const at::Tensor& row, int64_t tileWidth, const std::vector<int64_t>& ts)
{
    std::vector<std::string> texts;
    int64_t scale = 3;
    for (auto t : ts) {
        texts.push_back(tLabel(t, tileWidth - 2));
        scale = std::min(scale, labelScaleFor(texts.back(), tileWidth - 2));
    }
    auto band = labelBand(labelHeight(scale) + 2 * labelPad(scale), row.size(1), row.size(2));
    for (size_t f = 0; f < texts.size(); ++f) {
        const int64_t centre = 1 + int64_t(f) * (tileWidth + 1) + tileWidth / 2;
        drawLabel(band, centre - labelWidth(texts[f], scale) / 2, labelPad(scale), texts[f], scale);
    }
    return at::cat({row, band}, 0);
}

// The labels of rows `tileHeight` high (row f from y = 1 + f·(tileHeight + 1)) in a column
// left of them.
at::Tensor withLabelsLeft(const at::Tensor& sheet, int64_t tileHeight, const std::vector<int64_t>& ts)
{
    const int64_t scale = std::clamp<int64_t>(tileHeight / 24, 1, 3);
    int64_t width = 0;
    for (auto t : ts)
        width = std::max(width, labelWidth("t=" + std::to_string(t), scale));
    auto column = labelBand(sheet.size(0), width + 2 * labelPad(scale), sheet.size(2));
    for (size_t f = 0; f < ts.size(); ++f) {
        const int64_t middle = 1 + int64_t(f) * (tileHeight + 1) + tileHeight / 2;
        drawLabel(column, labelPad(scale), middle - labelHeight(scale) / 2, "t=" + std::to_string(ts[f]), scale);
    }
    return at::cat({column, sheet}, 1);
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
    auto sheet = at::cat(row, 1);
    if (options.labels) // the 1-pixel top and bottom gaps of tileImages are not part of a plot
        sheet = withLabelsBelow(sheet, row[1].size(1), kept.ts());
    return sheet;
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
    auto strip = tileImages(at::stack(tiles), options.range, int64_t(tiles.size()), options.scale);
    if (options.labels && !isPointBatch(kept.frame(0))) // a point's path is one plot: no tiles to label
        strip = withLabelsBelow(strip, kept.frame(0).size(3) * options.scale, kept.ts());
    return strip;
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
    auto sheet = tileImages(at::cat(rows), options.range, samples, options.scale);
    if (options.labels)
        sheet = withLabelsLeft(sheet, kept.frame(0).size(2) * options.scale, kept.ts());
    return sheet;
}

FrameSequence trajectoryAnimation(const Trajectory& trajectory, DataRange range, int64_t columns, FrameContent what,
                                  bool labels)
{
    requireFrames(trajectory, "animation");
    FrameSequence sequence;
    sequence.count = trajectory.size();
    sequence.frame = [trajectory, range, columns, what, labels](int64_t i) {
        auto grid = tileImages(content(trajectory, i, what), range, columns, 1);
        if (!labels)
            return grid;
        // The scale follows the width alone, so every frame's band has the same height.
        const int64_t scale = std::clamp<int64_t>(grid.size(1) / 100, 1, 3);
        auto band = labelBand(labelHeight(scale) + 2 * labelPad(scale), grid.size(1), grid.size(2));
        drawLabel(band, labelPad(scale), labelPad(scale), "t=" + std::to_string(trajectory.t(i)), scale);
        return at::cat({grid, band}, 0);
    };
    return sequence;
}

} // namespace ds
