#include "axis_ticks.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace ds {
namespace {

constexpr double kSlack = 1e-9; // values this close (in steps) to a tick count as on it

// Ticks of step `step` that enclose [lo, hi].
int tickCountFor(double lo, double hi, double step)
{
    return int(std::ceil(hi / step - kSlack) - std::floor(lo / step + kSlack)) + 1;
}

// The smallest step of 1, 2 or 5 × 10^k giving at most maxTicks ticks.
double niceStep(double lo, double hi, int maxTicks, bool integer)
{
    const double raw = (hi - lo) / double(maxTicks - 1);
    double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    if (integer)
        magnitude = std::max(magnitude, 1.0);
    for (;; magnitude *= 10)
        for (double m : std::array{1.0, 2.0, 5.0})
            if (tickCountFor(lo, hi, m * magnitude) <= maxTicks)
                return m * magnitude;
}

} // namespace

LinearTicks niceLinearTicks(double lo, double hi, int maxTicks, bool integer)
{
    maxTicks = std::max(maxTicks, 2);
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
        lo = 0, hi = 1;
    if (hi - lo <= std::abs(hi) * 1e-12) { // one value: a small range around it
        const double half = integer ? 1.0 : std::max(std::abs(lo) * 0.1, 0.5);
        lo -= half, hi += half;
    }
    LinearTicks t;
    t.step = niceStep(lo, hi, maxTicks, integer);
    const double first = std::floor(lo / t.step + kSlack), last = std::ceil(hi / t.step - kSlack);
    t.decimals = std::max(0, -int(std::floor(std::log10(t.step) + kSlack)));
    const double unit = std::pow(10.0, t.decimals); // rounding to the printed digits drops 0.30000000000000004
    for (double i = first; i <= last; ++i)
        t.values.append(std::round(i * t.step * unit) / unit + 0.0); // + 0.0: no −0
    t.lo = t.values.front();
    t.hi = t.values.back();
    return t;
}

DecadeTicks decadeTicks(double lo, double hi, int maxLabels)
{
    maxLabels = std::max(maxLabels, 2);
    if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi))
        lo = 0.1, hi = 1;
    if (lo > hi)
        std::swap(lo, hi);
    DecadeTicks d;
    d.lo = int(std::floor(std::log10(lo) + kSlack));
    d.hi = std::max(int(std::ceil(std::log10(hi) - kSlack)), d.lo + 1);
    const int decades = d.hi - d.lo;
    d.stride = (decades + maxLabels - 2) / (maxLabels - 1); // ceil(decades / (maxLabels − 1))
    d.hi = d.lo + d.stride * ((decades + d.stride - 1) / d.stride); // the top is a labelled decade
    for (int e = d.lo; e <= d.hi; e += d.stride)
        d.exponents.append(e);
    return d;
}

QString decadeLabel(int exponent)
{
    if (exponent >= 0 && exponent <= 3)
        return QString::number(int(std::lround(std::pow(10.0, exponent))));
    if (exponent == -1 || exponent == -2)
        return QString::number(std::pow(10.0, exponent), 'f', -exponent);
    return QStringLiteral("1e%1").arg(exponent);
}

QString tickLabel(double value, int decimals)
{
    const double unit = std::pow(10.0, decimals);
    return QString::number(std::round(value * unit) / unit + 0.0, 'f', decimals);
}

} // namespace ds
