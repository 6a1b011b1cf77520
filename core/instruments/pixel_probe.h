#pragma once
// The pixel probe: chosen pixels (or patches) followed along a run, as x_t, the model's x̂0
// and the noise level against t, so runs of different samplers, step counts and schedules can
// be read on one axis. The noise level is the log-SNR λ = log(ᾱ / (1 − ᾱ)) of the frame's
// index k = t − 1 (+∞ at t = 0): for per-pixel (pixel-aware) schedules it is each pixel's own,
// from the clean image when known, else from the frame's x̂0 (what the sampler itself uses).
#include "core/samplers/sampler.h"
#include "core/schedule.h"
#include "core/trajectory.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace ds {

// Sample n, channel c, and the patch [y, y + height) × [x, x + width); values are patch means.
struct ProbeRegion {
    int64_t sample = 0, channel = 0, y = 0, x = 0;
    int64_t height = 1, width = 1;
};

// One row per recorded frame, one column per region.
struct ProbeTable {
    int64_t T = 0;             // the schedule's length (t/T divides by it)
    std::vector<int64_t> t;    // t of each frame (T … 0 for a reverse run)
    std::vector<int64_t> nfe;  // network passes the run had made when the frame was recorded
    at::Tensor logSnr;         // float64 [F, P] (+inf at t = 0; NaN for per-pixel λ with no x̂0)
    at::Tensor xt;             // float64 [F, P]
    at::Tensor x0;             // float64 [F, P], NaN where the frame has no x̂0
};

class PixelProbe {
public:
    // Throws ds::Error for an empty list or a region with non-positive size.
    PixelProbe(const Schedule& schedule, std::vector<ProbeRegion> regions);

    // Throws ds::Error naming the region that falls outside x [N, C, H, W].
    void requireInside(const at::Tensor& x) const;
    // One frame: x at t, its x̂0 (may be undefined), the passes so far, and the clean image
    // for per-pixel λ (may be undefined).
    void record(int64_t t, int64_t nfe, const at::Tensor& x, const at::Tensor& x0, const at::Tensor& clean = {});
    // A sampler step's output: its x̂0 was computed from the previous frame, so it (and a
    // per-pixel λ that depends on it) goes to the previous row; the new row has none yet.
    void recordAfterStep(int64_t t, int64_t nfe, const at::Tensor& x, const at::Tensor& x0OfPrevious);
    ProbeTable table() const;
    const std::vector<ProbeRegion>& regions() const { return regions_; }

private:
    std::vector<double> values(const at::Tensor& x) const;
    std::vector<double> logSnr(int64_t t, const at::Tensor& x0, const at::Tensor& clean) const;

    const Schedule* schedule_;
    std::vector<ProbeRegion> regions_;
    std::vector<int64_t> t_, nfe_;
    std::vector<std::vector<double>> xt_, x0_, lambda_;
};

// Every frame of a stored trajectory (forward or reverse); NFE is the frame index.
ProbeTable probeTrajectory(const Trajectory& trajectory, const Schedule& schedule,
                           const std::vector<ProbeRegion>& regions, const at::Tensor& clean = {});

// Runs the sampler from xT (as runSampler does) and probes x_T and every step.
ProbeTable probeRun(Sampler& sampler, Denoiser& denoiser, const at::Tensor& xT, const SamplerOptions& options,
                    NoiseSource& noise, const std::vector<ProbeRegion>& regions, const StopToken* stop = nullptr);

} // namespace ds
