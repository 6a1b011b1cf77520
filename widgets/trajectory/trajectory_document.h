#pragma once
// The trajectory the trajectory view shows: frames in the order they were produced (forward: t
// rising; reverse: t falling), what they came from, and the per-frame tensors each FrameKind
// draws. Lives on the UI thread; jobs feed it through queued packets.
#include "frame_kind.h"
#include "widgets/engine/engine_messages.h"

#include "core/data/data_range.h"
#include "core/schedule.h"
#include "core/trajectory.h"

#include <QObject>
#include <QString>
#include <QVector>

#include <map>
#include <vector>

namespace ds {

enum class TrajectoryDirection { Forward, Reverse };

struct TrajectoryMeta {
    TrajectoryDirection direction = TrajectoryDirection::Reverse;
    ScheduleSpec schedule; // the model's schedule
    DataRange range;       // the model's data range
    at::Tensor x0;         // forward: the clean batch [N, C, H, W]; reverse: undefined
    QString description;   // "ddim 50 · logsnr · seed 0", "forward closed-form · seed 0"
};

// What the pixel inspector shows for one pixel of one sample at one frame (per channel).
struct PixelReadout {
    bool valid = false;
    int sample = 0, x = 0, y = 0;
    int64_t t = 0, T = 0;
    QVector<double> value;    // x_t
    QVector<double> x0;       // x̂0 (empty when the frame has none yet)
    QVector<double> alphaBar; // ᾱ at t
    QVector<double> snr;      // per-pixel SNR at t (seed 002 eq. 11), +∞ at t = 0
    QString basis;            // what SNR and per-pixel ᾱ are computed from: "x0" or "x̂0"
};

class TrajectoryDocument : public QObject {
    Q_OBJECT
public:
    explicit TrajectoryDocument(QObject* parent = nullptr);

    // Starts an empty trajectory (reverse runs then stream frames in with append()).
    void reset(const TrajectoryMeta& meta);
    void append(const FramePacket& frame);
    // Keeps frames [0, first) and puts `frames` (labelled `t`) after them: a whole-chain
    // solver's current iterate replacing the previous one. Emits framesReplaced(first).
    void replaceFrom(int first, const std::vector<int64_t>& t, const std::vector<at::Tensor>& frames);
    // Replaces everything with a finished trajectory (forward runs, tests, benchmarks).
    void setTrajectory(const Trajectory& trajectory, const TrajectoryMeta& meta);
    // x̂0 of a frame computed after the fact (forward frames store none).
    void setEstimate(int frame, const at::Tensor& x0);

    int frameCount() const { return int(trajectory_.size()); }
    int64_t t(int frame) const { return trajectory_.t(frame); }
    int64_t steps() const { return meta_.schedule.T; }
    const TrajectoryMeta& meta() const { return meta_; }
    const Trajectory& trajectory() const { return trajectory_; }

    bool hasX0(int frame) const { return predictedX0(frame).defined(); }
    // The tensor `kind` draws at `frame`, float32 [N, C, H, W]; undefined when not available
    // (x̂0 or ε̂ of a forward frame whose estimate has not arrived, ε̂ at t = 0).
    at::Tensor content(int frame, FrameKind kind) const;
    // The value range a kind is drawn over: the data range for x_t and x̂0, ±3 for ε̂, and
    // ±max|Δ| for differences.
    DataRange displayRange(FrameKind kind, const at::Tensor& content) const;
    PixelReadout readout(int frame, int sample, int y, int x) const;

Q_SIGNALS:
    void resetDone();
    void framesAppended(int first, int count);
    void framesReplaced(int first); // frames from `first` on changed (and their count may have)
    void estimateArrived(int frame);

private:
    at::Tensor predictedX0(int frame) const;
    at::Tensor alphaBarAt(int64_t t, const at::Tensor& reference) const;

    TrajectoryMeta meta_;
    Trajectory trajectory_;
    Schedule schedule_;
    std::map<int, at::Tensor> estimates_;
};

} // namespace ds
