#pragma once
// A sequence of frames x_t of one batch, in the order they were produced (forward: t rising,
// reverse: t falling), optionally with the model's x̂0 for each frame.
//
// Frames are labelled with t = number of noising steps (0 = clean data, T = fully noised),
// i.e. t = k + 1 for the 0-based schedule index k. Storage is float16 by default: a T = 1000
// trajectory of one 128×128×3 image is 1000 · 49152 · 2 B ≈ 98 MB, ≈ 197 MB with x̂0
// (float32 doubles that); values of x_t (|x| < 10) keep ~3 significant digits.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace ds {

class Trajectory {
public:
    enum class Storage { Float16, Float32 };

    explicit Trajectory(Storage storage = Storage::Float16) : storage_(storage) {}

    // Appends a copy of x [N, C, H, W] (and optionally x̂0 of the same shape), moved to the CPU.
    void append(int64_t t, const at::Tensor& x, const at::Tensor& predictedX0 = {});
    // Appends the state a sampler step produced. The step's x̂0 was computed from its input,
    // the previous frame, so it is stored there: frame i shows x_t beside x̂0(x_t). The new
    // frame has none until the next step (the final sample: none; it is its own x̂0).
    void appendAfterStep(int64_t t, const at::Tensor& x, const at::Tensor& x0OfPrevious);
    // Sets (or replaces) the x̂0 stored with frame i.
    void setPredictedX0(int64_t i, const at::Tensor& x0);
    void reserve(int64_t frames);

    int64_t size() const { return int64_t(frames_.size()); }
    bool empty() const { return frames_.empty(); }
    Storage storage() const { return storage_; }
    bool hasPredictions() const;
    int64_t t(int64_t i) const { return ts_.at(size_t(i)); }
    const std::vector<int64_t>& ts() const { return ts_; }

    // Frame i as float32 [N, C, H, W]; predictedX0(i) is undefined where none was stored.
    at::Tensor frame(int64_t i) const;
    at::Tensor predictedX0(int64_t i) const;
    // Index of the frame whose t is nearest to `t`.
    int64_t nearestFrame(int64_t t) const;

    // Every frame (or x̂0), float32 [F, N, C, H, W], for export.
    at::Tensor stackedFrames() const;
    at::Tensor stackedPredictions() const;

    // At most `maxFrames` frames, evenly spread, always keeping the first and the last.
    Trajectory subsampled(int64_t maxFrames) const;

    // Bytes held by frame storage.
    int64_t bytes() const;

private:
    at::Tensor store(const at::Tensor& x) const;

    Storage storage_;
    std::vector<int64_t> ts_;
    std::vector<at::Tensor> frames_;
    std::vector<at::Tensor> predictions_; // same length as frames_; undefined entries allowed
};

} // namespace ds
