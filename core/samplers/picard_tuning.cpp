#include "picard_tuning.h"

#include "models/error.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace ds {
namespace {
// Picard must beat the sequential sampler by more than the curve's own timing noise (~1%).
constexpr double kWinningRatio = 0.99;
} // namespace

double secondsPerCall(const BatchScalingCurve& curve, int64_t rows)
{
    require(!curve.empty(), "Picard tuning: the batch-scaling curve is empty");
    require(rows >= 1, "Picard tuning: a call needs at least one row");
    for (const auto& [batch, seconds] : curve)
        require(batch >= 1 && seconds > 0 && std::isfinite(seconds),
                "Picard tuning: curve points need batch >= 1 and a positive time");
    const auto first = curve.begin();
    if (rows <= first->first)
        return first->second;
    const auto upper = curve.lower_bound(rows);
    if (upper == curve.end()) { // beyond the last point: its per-row cost, rows × c(b)/b
        const auto last = std::prev(curve.end());
        return last->second * double(rows) / double(last->first);
    }
    if (upper->first == rows)
        return upper->second;
    const auto lower = std::prev(upper);
    const double f = double(rows - lower->first) / double(upper->first - lower->first);
    return lower->second + f * (upper->second - lower->second);
}

std::vector<PicardChoice> picardCandidates(const PicardTuningInput& in)
{
    require(in.samples >= 1 && in.steps >= 1, "Picard tuning: samples and steps must be >= 1");
    require(in.expectedSlide >= 1, "Picard tuning: the expected slide must be >= 1 step per round");
    const double sequential = secondsPerCall(in.curve, in.samples);
    std::vector<int64_t> windows;
    for (int64_t w = 1; w < in.steps; w *= 2)
        windows.push_back(w);
    windows.push_back(in.steps);
    std::vector<PicardChoice> out;
    for (int64_t w : windows) {
        PicardChoice c;
        c.window = w;
        c.rowsPerCall = w * in.samples;
        c.slide = std::min(double(w), in.expectedSlide);
        // r(W) = c(W·N) / (min(W, ρ) · c(N)); window 1 is the sequential sampler itself (r = 1).
        c.relativeTime = w == 1 ? 1.0 : secondsPerCall(in.curve, c.rowsPerCall) / (c.slide * sequential);
        c.parallelWins = c.relativeTime < kWinningRatio;
        out.push_back(c);
    }
    return out;
}

PicardChoice choosePicardWindow(const PicardTuningInput& in)
{
    const auto candidates = picardCandidates(in);
    auto best = std::min_element(candidates.begin(), candidates.end(),
                                 [](const PicardChoice& a, const PicardChoice& b) { return a.relativeTime < b.relativeTime; });
    return best->parallelWins ? *best : candidates.front();
}

} // namespace ds
