#include "trajectory.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstdlib>

namespace ds {

at::Tensor Trajectory::store(const at::Tensor& x) const
{
    auto dtype = storage_ == Storage::Float16 ? at::kHalf : at::kFloat;
    return x.detach().to(at::kCPU, dtype, /*non_blocking=*/false, /*copy=*/true).contiguous();
}

void Trajectory::append(int64_t t, const at::Tensor& x, const at::Tensor& predictedX0)
{
    require(x.defined() && x.dim() == 4, "trajectory frames must be [N, C, H, W]");
    require(frames_.empty() || x.sizes() == frames_.front().sizes(), "trajectory frames must share one shape");
    ts_.push_back(t);
    frames_.push_back(store(x));
    predictions_.push_back(predictedX0.defined() ? store(predictedX0) : at::Tensor());
}

void Trajectory::appendAfterStep(int64_t t, const at::Tensor& x, const at::Tensor& x0OfPrevious)
{
    if (!frames_.empty() && x0OfPrevious.defined())
        setPredictedX0(size() - 1, x0OfPrevious);
    append(t, x);
}

void Trajectory::setPredictedX0(int64_t i, const at::Tensor& x0)
{
    require(i >= 0 && i < size(), "trajectory: no frame ", i);
    require(x0.sizes() == frames_.at(size_t(i)).sizes(), "trajectory: x̂0 must have the frame's shape");
    predictions_.at(size_t(i)) = store(x0);
}

void Trajectory::reserve(int64_t frames)
{
    ts_.reserve(size_t(frames));
    frames_.reserve(size_t(frames));
    predictions_.reserve(size_t(frames));
}

bool Trajectory::hasPredictions() const
{
    for (const auto& p : predictions_)
        if (p.defined())
            return true;
    return false;
}

at::Tensor Trajectory::frame(int64_t i) const { return frames_.at(size_t(i)).to(at::kFloat); }

at::Tensor Trajectory::predictedX0(int64_t i) const
{
    const auto& p = predictions_.at(size_t(i));
    return p.defined() ? p.to(at::kFloat) : at::Tensor();
}

int64_t Trajectory::nearestFrame(int64_t t) const
{
    require(!empty(), "empty trajectory");
    int64_t best = 0;
    for (int64_t i = 1; i < size(); ++i)
        if (std::llabs(ts_[size_t(i)] - t) < std::llabs(ts_[size_t(best)] - t))
            best = i;
    return best;
}

at::Tensor Trajectory::stackedFrames() const
{
    require(!empty(), "empty trajectory");
    return at::stack(frames_).to(at::kFloat);
}

at::Tensor Trajectory::stackedPredictions() const
{
    require(!empty(), "empty trajectory");
    std::vector<at::Tensor> out;
    out.reserve(predictions_.size());
    for (size_t i = 0; i < predictions_.size(); ++i) // frames without x̂0 export as NaN
        out.push_back(predictions_[i].defined() ? predictions_[i]
                                                : at::full_like(frames_[i], std::nan("")));
    return at::stack(out).to(at::kFloat);
}

Trajectory Trajectory::subsampled(int64_t maxFrames) const
{
    require(maxFrames >= 2 || (maxFrames == 1 && size() == 1), "subsampling needs at least 2 frames");
    if (size() <= maxFrames)
        return *this;
    Trajectory out(storage_);
    out.reserve(maxFrames);
    int64_t last = -1;
    for (int64_t j = 0; j < maxFrames; ++j) {
        auto i = int64_t(std::llround(double(j) * double(size() - 1) / double(maxFrames - 1)));
        if (i == last)
            continue;
        last = i;
        out.ts_.push_back(ts_[size_t(i)]);
        out.frames_.push_back(frames_[size_t(i)]);
        out.predictions_.push_back(predictions_[size_t(i)]);
    }
    return out;
}

int64_t Trajectory::bytes() const
{
    int64_t total = 0;
    for (size_t i = 0; i < frames_.size(); ++i) {
        total += frames_[i].numel() * int64_t(frames_[i].element_size());
        if (predictions_[i].defined())
            total += predictions_[i].numel() * int64_t(predictions_[i].element_size());
    }
    return total;
}

} // namespace ds
