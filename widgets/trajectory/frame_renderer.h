#pragma once
// Draws one frame of a TrajectoryDocument as a grid image (the batch tiled as ds::tileImages
// does), and maps grid pixels back to (sample, x, y) for the inspector. ε̂ and Δ frames come
// with a gray colour scale (their black..white is ±3 for ε̂, ±max|Δ| for Δ).
#include "frame_kind.h"
#include "widgets/common/colour_map.h"
#include "widgets/comparison/grid_layout.h"

#include "core/data/data_range.h"

#include <QImage>
#include <QString>

#include <optional>

namespace ds {

class TrajectoryDocument;

struct RenderedFrame {
    QImage image;      // the grid, or a placeholder of the same size when `note` is set
    GridLayout grid;
    DataRange range;   // the value range mapped to black..white
    QString note;      // why nothing is drawn ("x̂0 is being computed…"), empty when drawn
    // Views whose gray levels are not data values (ε̂, Δ) carry the scale to show beside them.
    std::optional<ColourScale> scale;
};

// Renders `frame` of `doc` as `kind`. An empty document gives a null image.
RenderedFrame renderFrame(const TrajectoryDocument& doc, int frame, FrameKind kind, int columns = 0);

} // namespace ds
