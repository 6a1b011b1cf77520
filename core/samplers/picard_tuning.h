#pragma once
// Choosing Picard's window from the model's batch-scaling curve (what `diffscope-cli bench
// --scaling` measures): time per network call c(b) against the rows b of the call.
//
// A sequential sampler pays c(N) per step for N samples. A Picard round over a window of W
// steps pays one batched call c(W·N) and moves the window on by the steps that converged in it,
// on average min(W, ρ): ρ is the slide a round achieves when the window does not limit it
// (measured: ≈ 3–4 steps for DDPM-100 and ≈ 10 for DDIM-100 on the Gaussian oracle, see
// docs/benchmarks.md). So Picard's time per step, relative to the sequential sampler's, is
//   r(W) = c(W·N) / (min(W, ρ) · c(N)),
// the round's cost divided by the sequential steps it saves. The rule picks the W (powers of
// two up to the step count) with the lowest r; r ≥ 0.99 (no gain beyond timing noise) means
// the sequential sampler is as fast or faster in wall time on this machine (window 1). Beyond the largest measured batch the curve is
// extended at its last per-row cost: the cores are then saturated, so time grows with rows.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ds {

// Seconds per network call by rows of the call (at least one point; all > 0).
using BatchScalingCurve = std::map<int64_t, double>;

// c(b): linear between measured points, the last per-row cost beyond the last point, and
// c(b_min) below the first (a smaller call is never cheaper than the smallest measured one).
double secondsPerCall(const BatchScalingCurve& curve, int64_t rows);

struct PicardChoice {
    int64_t window = 1;        // 1: run the sequential sampler
    int64_t rowsPerCall = 0;   // W·N
    double relativeTime = 1;   // r(W): Picard wall time per step / sequential's
    double slide = 1;          // min(W, ρ)
    bool parallelWins = false; // r < 0.99
};

struct PicardTuningInput {
    BatchScalingCurve curve;
    int64_t samples = 1;      // N, rows per state
    int64_t steps = 100;      // the sampler's steps (the largest useful window)
    double expectedSlide = 4; // ρ, steps converged per round when the window does not limit it
    int cores = 1;            // intra-op threads the curve was measured with (reported only)
};

// r(W) for every candidate window 1, 2, 4, …, steps (and steps itself), in that order.
std::vector<PicardChoice> picardCandidates(const PicardTuningInput& input);
// The candidate with the lowest r(W); window 1 when none beats the sequential sampler.
PicardChoice choosePicardWindow(const PicardTuningInput& input);

} // namespace ds
