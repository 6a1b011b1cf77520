#pragma once
// Where the frames of a run lie on the axes a comparison aligns runs by, so a 10-step and a
// 1000-step run, or a linear and a cosine schedule, are read at the same noise level:
//   time    t/T (1 = x_T, 0 = the samples), the schedule's own clock;
//   log-snr λ = log(ᾱ/(1 − ᾱ)) of the frame's index k = t − 1 (+∞ at t = 0): the axis that
//           means the same thing across schedules;
//   nfe     network evaluations the run had made when the frame was recorded.
#include "core/schedule.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ds {

enum class FrameAxis { Time, LogSnr, Nfe };
std::string_view name(FrameAxis axis);
FrameAxis frameAxisFromString(std::string_view text);
std::string frameAxisChoices();

// λ of a frame labelled t: +∞ at t = 0. Per-pixel schedules: λ of the mean ᾱ over
// `reference` (the frame's x̂0, or the clean image; data range), NaN without one.
double frameLogSnr(const Schedule& schedule, int64_t t, const at::Tensor& reference = {});

// Index of the value nearest `target` (the first of ties); NaN entries are skipped and an
// infinite target matches only an equal entry (the samples at λ = +∞). −1 when none qualifies.
int64_t nearestOnAxis(const std::vector<double>& values, double target);

} // namespace ds
