#include "control_point_schedule.h"

#include "models/error.h"
#include "models/json_fields.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

// |λ| ≤ 30 keeps ᾱ = sigmoid(λ) within 1e-13 of 0 or 1 without rounding to either.
constexpr double kMaxLogSnr = 30.0;

std::string pointName(size_t i, const LogSnrPoint& p)
{
    return "control point " + std::to_string(i + 1) + " (t = " + std::to_string(p.t) + ", log-SNR = "
           + std::to_string(p.logSnr) + ")";
}

// PCHIP slopes (Fritsch & Carlson 1980; scipy's PchipInterpolator): a weighted harmonic mean
// of the neighbouring secants where they share a sign, else 0; one-sided three-point ends.
std::vector<double> pchipSlopes(const std::vector<LogSnrPoint>& p)
{
    const size_t n = p.size();
    std::vector<double> h(n - 1), delta(n - 1), d(n);
    for (size_t k = 0; k + 1 < n; ++k) {
        h[k] = p[k + 1].t - p[k].t;
        delta[k] = (p[k + 1].logSnr - p[k].logSnr) / h[k];
    }
    if (n == 2)
        return {delta[0], delta[0]};
    for (size_t k = 1; k + 1 < n; ++k) {
        if (delta[k - 1] * delta[k] <= 0) {
            d[k] = 0;
            continue;
        }
        const double w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1];
        d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k]);
    }
    auto end = [](double h0, double h1, double d0, double d1) {
        double s = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
        if (s * d0 <= 0)
            return 0.0;
        if (d0 * d1 <= 0 && std::abs(s) > 3 * std::abs(d0))
            return 3 * d0;
        return s;
    };
    d[0] = end(h[0], h[1], delta[0], delta[1]);
    d[n - 1] = end(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
    return d;
}

// Cubic Hermite on [t_k, t_{k+1}] with end slopes d_k, d_{k+1}; s = (t − t_k)/h.
double hermite(const LogSnrPoint& a, const LogSnrPoint& b, double da, double db, double t)
{
    const double h = b.t - a.t, s = (t - a.t) / h, s2 = s * s, s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * a.logSnr + (s3 - 2 * s2 + s) * h * da + (-2 * s3 + 3 * s2) * b.logSnr
           + (s3 - s2) * h * db;
}

double sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x)); }

} // namespace

std::string_view name(LogSnrInterpolation kind)
{
    return kind == LogSnrInterpolation::Linear ? "linear" : "monotone-cubic";
}

LogSnrInterpolation logSnrInterpolationFromString(std::string_view text)
{
    if (text == "linear")
        return LogSnrInterpolation::Linear;
    if (text == "monotone-cubic")
        return LogSnrInterpolation::MonotoneCubic;
    throw Error("unknown log-SNR interpolation '" + std::string(text) + "' (expected linear or monotone-cubic)");
}

void ControlPointSchedule::validate() const
{
    require(T >= 2, "control-point schedule: T = ", T, " (need at least 2 steps)");
    require(points.size() >= 2, "control-point schedule: needs at least 2 points, got ", points.size());
    for (size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        if (!std::isfinite(p.t) || !std::isfinite(p.logSnr))
            throw Error("control-point schedule: " + pointName(i, p) + " is not a finite number");
        if (p.t < 1 || p.t > double(T))
            throw Error("control-point schedule: " + pointName(i, p) + " has t outside 1.." + std::to_string(T));
        if (std::abs(p.logSnr) > kMaxLogSnr)
            throw Error("control-point schedule: " + pointName(i, p) + " has |log-SNR| > 30 (alpha-bar would round to 0 or 1)");
        if (i > 0 && !(p.t > points[i - 1].t))
            throw Error("control-point schedule: " + pointName(i, p) + " must lie after the point before it in t");
        if (i > 0 && !(p.logSnr < points[i - 1].logSnr))
            throw Error("control-point schedule: log-SNR must decrease strictly with t, but " + pointName(i, p)
                        + " is not below " + pointName(i - 1, points[i - 1]));
    }
    require(points.front().t == 1.0, "control-point schedule: the first point must sit at t = 1, not t = ",
            points.front().t);
    require(points.back().t == double(T), "control-point schedule: the last point must sit at t = T = ", T,
            ", not t = ", points.back().t);
}

std::vector<double> logSnrCurve(const ControlPointSchedule& s)
{
    s.validate();
    const auto& p = s.points;
    const auto slopes = s.interpolation == LogSnrInterpolation::MonotoneCubic ? pchipSlopes(p) : std::vector<double>{};
    std::vector<double> out(size_t(s.T));
    size_t k = 0; // the interval [t_k, t_{k+1}] holding t
    for (int64_t t = 1; t <= s.T; ++t) {
        while (k + 2 < p.size() && double(t) > p[k + 1].t)
            ++k;
        const auto &a = p[k], &b = p[k + 1];
        if (slopes.empty()) // λ = λ_k + (t − t_k)/(t_{k+1} − t_k) · (λ_{k+1} − λ_k)
            out[size_t(t - 1)] = a.logSnr + (double(t) - a.t) / (b.t - a.t) * (b.logSnr - a.logSnr);
        else
            out[size_t(t - 1)] = hermite(a, b, slopes[k], slopes[k + 1], double(t));
    }
    return out;
}

std::vector<double> controlPointAlphaBars(const ControlPointSchedule& s)
{
    auto curve = logSnrCurve(s);
    for (auto& v : curve)
        v = sigmoid(v);
    return curve;
}

ScheduleSpec toScheduleSpec(const ControlPointSchedule& s)
{
    auto spec = ScheduleSpec::explicitAlphasCumprod(controlPointAlphaBars(s));
    try {
        spec.validate();
    } catch (const Error& e) { // points closer than the table resolves: say where it came from
        throw Error(std::string("control-point schedule: ") + e.what());
    }
    return spec;
}

ControlPointSchedule controlPointsFrom(const Schedule& schedule, int count, LogSnrInterpolation interpolation)
{
    schedule.requireScalar("the schedule editor's control points");
    const int64_t T = schedule.steps();
    require(count >= 2 && count <= T, "control points: need 2..", T, " points, got ", count);
    ControlPointSchedule out;
    out.T = T;
    out.interpolation = interpolation;
    for (int i = 0; i < count; ++i) {
        const int64_t t = 1 + std::llround(double(i) * double(T - 1) / double(count - 1));
        const double abar = schedule.alphaBarAt(t - 1);
        const double logSnr = std::clamp(std::log(abar) - std::log1p(-abar), -kMaxLogSnr, kMaxLogSnr);
        out.points.push_back({double(t), logSnr});
    }
    return out;
}

ControlPointSchedule movePoint(const ControlPointSchedule& s, size_t i, LogSnrPoint to, double margin)
{
    require(i < s.points.size(), "control points: no point ", i + 1, " (there are ", s.points.size(), ")");
    auto out = s;
    auto& p = out.points[i];
    const bool first = i == 0, last = i + 1 == s.points.size();
    if (!first && !last) { // inner points move in t too, at least 1e-3 of a step from their neighbours
        const double lo = s.points[i - 1].t + 1e-3, hi = s.points[i + 1].t - 1e-3;
        if (lo < hi && std::isfinite(to.t))
            p.t = std::clamp(to.t, lo, hi);
    }
    const double hi = first ? kMaxLogSnr : s.points[i - 1].logSnr - margin;
    const double lo = last ? -kMaxLogSnr : s.points[i + 1].logSnr + margin;
    if (lo < hi && std::isfinite(to.logSnr))
        p.logSnr = std::clamp(to.logSnr, lo, hi);
    return out;
}

nlohmann::json toJson(const ControlPointSchedule& s)
{
    auto j = toJson(toScheduleSpec(s));
    auto points = nlohmann::json::array();
    for (const auto& p : s.points)
        points.push_back({p.t, p.logSnr});
    j["control_points"] = points;
    j["interpolation"] = std::string(name(s.interpolation));
    return j;
}

ControlPointSchedule controlPointScheduleFromJson(const nlohmann::json& j, const std::string& where)
{
    require(j.is_object() && j.contains("control_points") && j.at("control_points").is_array(), where,
            ": needs \"control_points\": [[t, log-SNR], …]");
    ControlPointSchedule s;
    s.T = j.contains("T") && j.at("T").is_number_integer() ? j.at("T").get<int64_t>() : 0;
    require(s.T >= 2, where, ": needs an integer \"T\" of at least 2");
    for (const auto& p : j.at("control_points")) {
        require(p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number(), where,
                ": each control point is [t, log-SNR]");
        s.points.push_back({p[0].get<double>(), p[1].get<double>()});
    }
    try {
        s.interpolation = logSnrInterpolationFromString(JsonFields(j, where).string("interpolation", "monotone-cubic"));
        s.validate();
    } catch (const Error& e) { // JsonFields' messages name `where` already
        const std::string message = e.what();
        throw Error(message.rfind(where + ": ", 0) == 0 ? message : where + ": " + message);
    }
    return s;
}

ScheduleFiles exportSchedule(const ScheduleSpec& spec, const std::string& stem, const ControlPointSchedule* points)
{
    const Schedule schedule(spec);
    schedule.requireScalar("schedule export");
    ScheduleFiles files{stem + ".json", stem + ".betas.npy"};
    const auto json = points ? toJson(*points) : toJson(spec);
    writeFileAtomically(files.json, [&](std::ostream& out) { out << json.dump(2) << "\n"; });
    saveNpy(files.betas, schedule.betas().to(at::kDouble).contiguous());
    return files;
}

} // namespace ds
