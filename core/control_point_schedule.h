#pragma once
// A schedule drawn as a log-SNR curve: control points (t, λ) with λ = log(ᾱ/(1 − ᾱ)), joined
// by a monotone interpolant, then ᾱ_t = sigmoid(λ(t)) at t = 1..T. The live schedule editor
// of the SNR tab edits these points; the result is an explicit ᾱ table (ScheduleKind::
// AlphasCumprod), so every sampler, oracle and the trainer take it unchanged.
//
// Interpolation: piecewise linear (moving point i changes λ only on (t_{i−1}, t_{i+1})) or
// monotone cubic (Fritsch & Carlson 1980, PCHIP slopes as in scipy: a point's move also
// changes its neighbours' slopes, so λ changes on (t_{i−2}, t_{i+2})). Both keep a strictly
// decreasing λ strictly decreasing, so ᾱ decreases strictly as every schedule must.
#include "core/schedule.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ds {

struct LogSnrPoint {
    double t = 1;      // diffusion time in [1, T] (real: points need not sit on integers)
    double logSnr = 0; // λ = log(ᾱ / (1 − ᾱ)) at t
};

enum class LogSnrInterpolation { Linear, MonotoneCubic };
std::string_view name(LogSnrInterpolation kind);
LogSnrInterpolation logSnrInterpolationFromString(std::string_view text); // "linear", "monotone-cubic"

struct ControlPointSchedule {
    int64_t T = 1000;                 // steps of the resulting schedule
    std::vector<LogSnrPoint> points;  // t strictly increasing from 1 to T, λ strictly decreasing
    LogSnrInterpolation interpolation = LogSnrInterpolation::MonotoneCubic;

    // Throws ds::Error naming the first bad point: fewer than 2 points, NaN/Inf, t outside
    // 1..T, the first point not at t = 1 or the last not at t = T, t not increasing, λ not
    // decreasing.
    void validate() const;
};

// λ(t) at t = 1..T (length T). Validates first.
std::vector<double> logSnrCurve(const ControlPointSchedule& schedule);
// ᾱ_t = sigmoid(λ(t)) = 1 / (1 + e^{−λ}) at t = 1..T.
std::vector<double> controlPointAlphaBars(const ControlPointSchedule& schedule);
// The explicit ᾱ table as a schedule spec (validated: the table decreases strictly in (0, 1)).
ScheduleSpec toScheduleSpec(const ControlPointSchedule& schedule);

// `count` points of a scalar schedule's λ at t evenly spaced from 1 to T (rounded to integers,
// so they lie on the table): the editor's starting curve for a preset. Throws for per-pixel
// schedules (their ᾱ depends on the image) and for count < 2 or count > T.
ControlPointSchedule controlPointsFrom(const Schedule& schedule, int count,
                                       LogSnrInterpolation interpolation = LogSnrInterpolation::MonotoneCubic);

// Where point i may be dragged: λ is clamped strictly inside its neighbours' λ (a gap of
// `margin` each side) and t strictly inside their t (the end points keep t = 1 and t = T), so
// a drag can never make the curve non-monotone. Returns the moved schedule.
ControlPointSchedule movePoint(const ControlPointSchedule& schedule, size_t i, LogSnrPoint to,
                               double margin = 1e-3);

// The file form: the ScheduleSpec JSON (toJson: {"kind": "alphas-cumprod", "T", "alphas_cumprod"})
// with the control points and interpolation added under "control_points" / "interpolation"
// (scheduleSpecFromJson ignores them, so `train --schedule "$(cat FILE)"` and a training
// config's "schedule" take the file as is; controlPointScheduleFromJson reads the points back).
nlohmann::json toJson(const ControlPointSchedule& schedule);
ControlPointSchedule controlPointScheduleFromJson(const nlohmann::json& j, const std::string& where);

// Writes `<stem>.json` (toJson above, or the spec's own JSON when `points` is null) and
// `<stem>.betas.npy` (float64 [T], β_t = 1 − ᾱ_t/ᾱ_{t−1}), both atomically. Returns the two
// paths. Throws ds::Error for a per-pixel spec (no single β table) or an unwritable folder.
struct ScheduleFiles {
    std::string json;
    std::string betas;
};
ScheduleFiles exportSchedule(const ScheduleSpec& spec, const std::string& stem,
                             const ControlPointSchedule* points = nullptr);

} // namespace ds
