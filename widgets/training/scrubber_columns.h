#pragma once
// The training × sampling scrubber's data, computed off the UI thread: for each step checkpoint
// of a run folder (step_*.dsckpt, in step order) one column, a deterministic DDIM run (η = 0)
// from one x_T shared by every column, every state kept, and the checkpoint's sample quality
// (the FID proxy for Fashion-MNIST 28×28, MMD² against fresh draws for the 2D toys).
// Columns are cached by the caller, so each checkpoint is sampled once.
#include "core/data/data_range.h"
#include "core/stop_token.h"

#include <ATen/core/Tensor.h>
#include <QImage>
#include <QString>
#include <QVector>

#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ds {

struct ScrubberSettings {
    int samples = 32;  // samples per checkpoint (few: the metric is a rough one, the CPU stays free)
    int steps = 20;    // DDIM steps
    uint64_t seed = 0; // x_T ~ N(0, I) from this seed, the same for every checkpoint
};

// One checkpoint's column.
struct ScrubberColumn {
    std::string path;
    int64_t step = 0;            // training step of the checkpoint
    at::Tensor frames;           // float32 [S + 1, N, C, H, W]: x_T, then the state after each step
    std::vector<int64_t> t;      // t of each frame (T for x_T … 0 for the sample)
    DataRange range;
    double metric = std::nan(""); // NaN: no metric for this data set, or it failed
    QString error;               // the checkpoint could not be sampled
    std::vector<QImage> cells;   // per frame: the grid thumbnail (first sample, or the point cloud)
    std::vector<QImage> grids;   // per frame: all samples tiled
};

// The step checkpoints of `dir` sorted by training step (read from each header); throws
// ds::Error when `dir` is not a folder. Files whose header cannot be read are left out.
std::vector<std::pair<int64_t, std::string>> scrubberCheckpoints(const std::string& dir);

// What quality number the scrubber shows for a data set: its name (empty: none) and a scorer.
class ScrubberMetric {
public:
    // "fashion-mnist" at 1×28×28 → FID proxy (needs resources/fashion_classifier.dsckpt); a 2D
    // toy → MMD² against 2000 fresh draws; anything else → none.
    static std::shared_ptr<ScrubberMetric> forData(const std::string& dataset, const std::array<int64_t, 3>& shape,
                                                   DataRange range);
    QString name() const { return name_; }
    double score(const at::Tensor& samples) const { return score_ ? score_(samples) : std::nan(""); }

private:
    QString name_;
    std::function<double(const at::Tensor&)> score_;
};

// Samples `checkpoint` from `xT` [N, C, H, W] (throws nothing: errors come back in `error`;
// a stop gives a column with an error "cancelled"). `metric` may be null.
ScrubberColumn computeScrubberColumn(const std::string& checkpoint, int64_t step, const at::Tensor& xT,
                                     const ScrubberSettings& settings, const ScrubberMetric* metric,
                                     const StopToken& stop);

// x_T for checkpoints of sample shape `shape`: NoiseSource(seed).normal([N, C, H, W]).
at::Tensor scrubberStart(const std::array<int64_t, 3>& shape, const ScrubberSettings& settings);

} // namespace ds
