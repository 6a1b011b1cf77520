#pragma once
// What the live schedule editor shows for one schedule, computed off the UI thread: the forward
// process of one data item at a few t/T, ᾱ and SNR against t/T (beside the preset's), and a
// DDIM run (η = 0) on the exact empirical oracle of the data set. The noise is cached
// (SchedulePreviewData): every schedule sees the same ε and the same x_T, so what changes
// between two previews is the schedule's doing alone.
#include "widgets/common/chart_adapter.h"

#include "core/data/data_range.h"
#include "core/schedule.h"
#include "core/stop_token.h"

#include <ATen/core/Tensor.h>
#include <QImage>
#include <QString>
#include <QVector>

#include <string>
#include <vector>

namespace ds {

// Drawn once (the first preview), then reused by every later one.
struct SchedulePreviewData {
    std::string dataset;  // "fashion-mnist"
    DataRange range;
    at::Tensor x0;        // [1, C, H, W]: the item the forward strip diffuses
    at::Tensor eps;       // [1, C, H, W]: its ε, the same for every t and schedule
    at::Tensor oracle;    // [M, C, H, W]: the data set the exact oracle knows
    at::Tensor xT;        // [S, C, H, W]: DDIM's start, the same for every schedule
};

// `items` data items for the oracle, `samples` DDIM samples; throws ds::Error when the data
// set is missing.
SchedulePreviewData makeSchedulePreviewData(const std::string& dataset = "fashion-mnist", int64_t items = 500,
                                            int64_t samples = 8, uint64_t seed = 0);

struct SchedulePreviewRequest {
    quint64 ticket = 0;
    ScheduleSpec schedule = ScheduleSpec::linear(); // the edited schedule
    ScheduleSpec reference = ScheduleSpec::linear(); // the preset it started from (dashed)
    int ddimSteps = 20;
};

struct SchedulePreview {
    quint64 ticket = 0;
    QString error;                   // the schedule or data could not be used
    bool cancelled = false;          // a newer request stopped this one
    ScheduleSpec schedule;           // the schedule previewed
    QVector<PlotSeries> alphaBar;    // ᾱ against t/T: edited (solid), preset (dashed)
    QVector<PlotSeries> snr;         // SNR = ᾱ/(1 − ᾱ) against t/T (log y)
    QImage forward;                  // x_t of the item at kForwardFractions, left to right
    QImage samples;                  // DDIM paths from the cached x_T: a row per sample (the first
                                     // kPathRows); x_T, x̂0 at kPathFractions, the sample
    at::Tensor sampleTensor;         // the samples, float32 [S, C, H, W]
    at::Tensor pathTensor;           // x_T, the x̂0 of the inner fractions, the samples: [F, S, C, H, W]
    QString summary;                 // ᾱ_T, the prior mismatch, DDIM's time
};

// t/T of the forward strip's frames (0 = the clean item).
inline constexpr double kForwardFractions[] = {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0};

// Where along the DDIM run the path columns are (fractions of its steps), and the rows shown.
inline constexpr double kPathFractions[] = {0.0, 0.25, 0.5, 0.75, 1.0};
inline constexpr int64_t kPathRows = 4;

// Pure apart from `stop` (DDIM checks it between steps); throws nothing.
SchedulePreview computeSchedulePreview(const SchedulePreviewRequest& request, const SchedulePreviewData& data,
                                       const StopToken& stop);

} // namespace ds
