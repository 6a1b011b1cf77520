#include "trajectory_document.h"

#include "core/denoisers/prediction.h"
#include "core/snr.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

namespace ds {
namespace {

constexpr size_t kMaxEstimates = 256; // x̂0 estimates kept for forward frames

QVector<double> channelValues(const at::Tensor& batch, int sample, int y, int x)
{
    QVector<double> out;
    if (!batch.defined())
        return out;
    auto column = batch.select(0, sample).select(1, y).select(1, x).to(at::kDouble).contiguous();
    for (int64_t c = 0; c < column.numel(); ++c)
        out.append(column.data_ptr<double>()[c]);
    return out;
}

} // namespace

TrajectoryDocument::TrajectoryDocument(QObject* parent) : QObject(parent) {}

void TrajectoryDocument::reset(const TrajectoryMeta& meta)
{
    meta_ = meta;
    schedule_ = Schedule(meta.schedule, meta.range);
    trajectory_ = Trajectory(Trajectory::Storage::Float16);
    estimates_.clear();
    Q_EMIT resetDone();
}

// A reverse frame's x̂0 was computed from the frame before it (Trajectory::appendAfterStep).
void TrajectoryDocument::append(const FramePacket& frame)
{
    const bool previousGetsEstimate = frame.x0.defined() && frameCount() > 0;
    trajectory_.appendAfterStep(frame.t, frame.x, frame.x0);
    if (previousGetsEstimate)
        Q_EMIT estimateArrived(frameCount() - 2);
    Q_EMIT framesAppended(frameCount() - 1, 1);
}

void TrajectoryDocument::replaceFrom(int first, const std::vector<int64_t>& t, const std::vector<at::Tensor>& frames)
{
    first = std::clamp(first, 0, frameCount());
    Trajectory kept(trajectory_.storage());
    for (int i = 0; i < first; ++i)
        kept.append(trajectory_.t(i), trajectory_.frame(i), trajectory_.predictedX0(i));
    for (size_t i = 0; i < frames.size() && i < t.size(); ++i)
        kept.append(t[i], frames[i]);
    trajectory_ = std::move(kept);
    estimates_.erase(estimates_.lower_bound(first), estimates_.end());
    Q_EMIT framesReplaced(first);
}

void TrajectoryDocument::setTrajectory(const Trajectory& trajectory, const TrajectoryMeta& meta)
{
    meta_ = meta;
    schedule_ = Schedule(meta.schedule, meta.range);
    trajectory_ = trajectory;
    estimates_.clear();
    Q_EMIT resetDone();
    if (frameCount() > 0)
        Q_EMIT framesAppended(0, frameCount());
}

void TrajectoryDocument::setEstimate(int frame, const at::Tensor& x0)
{
    if (frame < 0 || frame >= frameCount())
        return;
    if (estimates_.size() >= kMaxEstimates)
        estimates_.erase(estimates_.begin());
    estimates_[frame] = x0;
    Q_EMIT estimateArrived(frame);
}

at::Tensor TrajectoryDocument::predictedX0(int frame) const
{
    if (frame < 0 || frame >= frameCount())
        return {};
    auto stored = trajectory_.predictedX0(frame);
    if (stored.defined())
        return stored;
    if (auto it = estimates_.find(frame); it != estimates_.end())
        return it->second;
    if (trajectory_.t(frame) == 0) // x_0 is the data itself
        return trajectory_.frame(frame);
    return {};
}

// ᾱ at t (index t − 1), broadcastable over the batch; per-pixel schedules read it from the
// clean batch (forward) or the model's x̂0 (reverse).
at::Tensor TrajectoryDocument::alphaBarAt(int64_t t, const at::Tensor& reference) const
{
    if (!schedule_.perPixel())
        return at::scalar_tensor(schedule_.alphaBarAt(t - 1), at::kFloat);
    if (!reference.defined())
        return {};
    return schedule_.alphaBar(t - 1, reference);
}

at::Tensor TrajectoryDocument::content(int frame, FrameKind kind) const
{
    if (frame < 0 || frame >= frameCount())
        return {};
    switch (kind) {
    case FrameKind::State: return trajectory_.frame(frame);
    case FrameKind::PredictedX0: return predictedX0(frame);
    case FrameKind::PredictedNoise: {
        const int64_t t = trajectory_.t(frame);
        auto x0 = predictedX0(frame);
        if (t == 0 || !x0.defined())
            return {}; // ε̂ is undefined where ᾱ = 1
        const auto reference = meta_.x0.defined() ? meta_.x0 : x0;
        auto abar = alphaBarAt(t, reference);
        return abar.defined() ? epsilonFrom(Prediction::X0, x0, trajectory_.frame(frame), abar) : at::Tensor();
    }
    case FrameKind::Difference:
        if (frame == 0)
            return at::zeros_like(trajectory_.frame(0));
        return trajectory_.frame(frame) - trajectory_.frame(frame - 1);
    }
    return {};
}

DataRange TrajectoryDocument::displayRange(FrameKind kind, const at::Tensor& content) const
{
    switch (kind) {
    case FrameKind::State:
    case FrameKind::PredictedX0: return meta_.range;
    case FrameKind::PredictedNoise: return {-3.0, 3.0}; // ε ~ N(0, 1): ±3σ
    case FrameKind::Difference: {
        const double m = content.defined() ? content.abs().max().item<double>() : 0.0;
        const double half = std::max(m, 1e-6);
        return {-half, half};
    }
    }
    return meta_.range;
}

PixelReadout TrajectoryDocument::readout(int frame, int sample, int y, int x) const
{
    PixelReadout r;
    if (frame < 0 || frame >= frameCount())
        return r;
    const auto xt = trajectory_.frame(frame);
    if (sample < 0 || sample >= xt.size(0) || y < 0 || y >= xt.size(2) || x < 0 || x >= xt.size(3))
        return r;
    r = {true, sample, x, y, trajectory_.t(frame), steps(), channelValues(xt, sample, y, x), {}, {}, {}, {}};
    const auto x0 = predictedX0(frame);
    r.x0 = channelValues(x0, sample, y, x);
    const auto reference = meta_.x0.defined() ? meta_.x0 : x0;
    r.basis = meta_.x0.defined() ? QStringLiteral("x0") : QStringLiteral("x̂0");
    if (!reference.defined())
        return r;
    if (r.t == 0) {
        r.alphaBar = QVector<double>(r.value.size(), 1.0);
        r.snr = QVector<double>(r.value.size(), std::numeric_limits<double>::infinity());
        return r;
    }
    auto abar = alphaBarAt(r.t, reference);
    r.alphaBar = channelValues(abar.expand_as(reference), sample, y, x);
    r.snr = channelValues(pixelSnr(schedule_, reference, r.t - 1), sample, y, x);
    return r;
}

} // namespace ds
