#include "frame_axis.h"

#include "core/enum_names.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>

namespace ds {
namespace {

constexpr EnumTable<FrameAxis, 3> kAxisNames{{
    {FrameAxis::Time, "time"},
    {FrameAxis::LogSnr, "log-snr"},
    {FrameAxis::Nfe, "nfe"},
}};

} // namespace

std::string_view name(FrameAxis axis) { return enumName(kAxisNames, axis); }
FrameAxis frameAxisFromString(std::string_view text) { return enumFromString(kAxisNames, text, "frame axis"); }
std::string frameAxisChoices() { return enumChoices(kAxisNames); }

// λ = log ᾱ − log(1 − ᾱ); log1p keeps precision where ᾱ is small (the noisy end).
double frameLogSnr(const Schedule& schedule, int64_t t, const at::Tensor& reference)
{
    if (t <= 0)
        return std::numeric_limits<double>::infinity();
    double abar = 0;
    if (!schedule.perPixel()) {
        abar = schedule.alphaBarAt(t - 1);
    } else {
        if (!reference.defined())
            return std::numeric_limits<double>::quiet_NaN();
        abar = schedule.alphaBar(t - 1, reference.to(at::kCPU, at::kDouble)).mean().item<double>();
    }
    return std::log(abar) - std::log1p(-abar);
}

int64_t nearestOnAxis(const std::vector<double>& values, double target)
{
    int64_t best = -1;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        const double d = v == target ? 0.0 : std::abs(v - target); // both +∞: a match
        if (!std::isnan(d) && d < bestDistance) { // an infinite distance never qualifies
            best = int64_t(i);
            bestDistance = d;
        }
    }
    return best;
}

} // namespace ds
