#pragma once
// Draws one frame of a TrajectoryDocument as a grid image (the batch tiled as ds::tileImages
// does), and maps grid pixels back to (sample, x, y) for the inspector. ε̂ and Δ frames come
// with a gray colour scale (their black..white is ±3 for ε̂, ±max|Δ| for Δ).
//
// x_t and x̂0 are drawn as raw values over the model's data range by default: values outside
// it are clipped to black or white and counted (outsideShare), so a model whose samples leave
// the range shows it. Min–max scaling (ValueScaling::MinMax) maps the frame's own finite
// [min, max] to black..white instead and says so in its colour bar and rangeText().
#include "frame_kind.h"
#include "widgets/common/colour_map.h"
#include "widgets/comparison/grid_layout.h"

#include "core/data/data_range.h"

#include <QImage>
#include <QString>

#include <optional>

namespace ds {

class TrajectoryDocument;

enum class ValueScaling {
    Raw,   // the data range → black..white; values outside are clipped and counted
    MinMax // the frame's own [min, max] → black..white (labelled on screen)
};

struct RenderedFrame {
    QImage image;      // the grid, or a placeholder of the same size when `note` is set
    GridLayout grid;
    DataRange range;   // the value range mapped to black..white
    QString note;      // why nothing is drawn ("x̂0 is being computed…"), empty when drawn
    // Views whose gray levels are not data values (ε̂, Δ, min–max scaled) carry the scale to show beside them.
    std::optional<ColourScale> scale;
    ValueScaling scaling = ValueScaling::Raw; // how x_t / x̂0 were mapped (ε̂ and Δ: always their own range)
    bool dataValues = false;  // x_t or x̂0: values in the data's units
    DataRange dataRange;      // the model's data range
    double outsideShare = 0;  // data values: share of finite values outside dataRange (clipped when raw)
    int64_t nonFinite = 0;    // NaN or ±Inf values (drawn black)
};

// Renders `frame` of `doc` as `kind`. An empty document gives a null image.
RenderedFrame renderFrame(const TrajectoryDocument& doc, int frame, FrameKind kind, int columns = 0,
                          ValueScaling scaling = ValueScaling::Raw);

// What the gray levels of a rendered x_t / x̂0 mean, for the line under the image:
// "raw values, data range [-1, 1] · 12.0% of values outside, clipped" or
// "MIN–MAX SCALED: [-27.1, 13.4] → black…white (not the data range) · 12.0% outside [-1, 1]".
// Empty for ε̂ and Δ (their colour bar says it).
QString rangeText(const RenderedFrame& frame);

// Share of finite values of `x` outside [range.lo, range.hi], and the count of non-finite ones.
struct OutsideCount {
    double share = 0;
    int64_t nonFinite = 0;
};
OutsideCount countOutside(const at::Tensor& x, DataRange range);

} // namespace ds
