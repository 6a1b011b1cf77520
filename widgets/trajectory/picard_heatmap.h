#pragma once
// The Picard residual record drawn as a heatmap: one row per round (top: round 1), one column
// per chain position, the residual ‖Δ‖²/(D σ²_step) on a log viridis scale; positions outside
// the round's window are dark gray and the window's edges are drawn as white lines; a red dot
// marks, in each position's column, the round that accepts it at the tolerance shown.
#include "widgets/common/colour_map.h"

#include "core/instruments/picard_record.h"

#include <QImage>
#include <QSize>

#include <vector>

namespace ds {

// log10 scale over the record's finite positive residuals.
ColourScale residualScale(const PicardRecord& record);

// Screen pixels per cell for a record of `rounds` × `steps` so the map is about `target` big
// (1 to 12 each way).
QSize heatmapCell(int64_t rounds, int64_t steps, QSize target = {900, 420});

// acceptance: 1-based round per position (acceptanceRounds), empty for no dots.
QImage residualHeatmap(const PicardRecord& record, const ColourScale& scale, const std::vector<int64_t>& acceptance,
                       QSize cell);

} // namespace ds
