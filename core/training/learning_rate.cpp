#include "learning_rate.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ds {

double learningRateAt(int64_t step, int64_t totalSteps, double peak, int64_t warmup, double minRatio)
{
    if (warmup > 0 && step < warmup)
        return peak * double(step + 1) / double(warmup);
    const double span = double(std::max<int64_t>(1, totalSteps - warmup));
    const double progress = std::clamp(double(step - warmup) / span, 0.0, 1.0);
    return peak * (minRatio + (1.0 - minRatio) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress)));
}

double emaDecayAt(int64_t step, double decay) { return std::min(decay, double(1 + step) / double(10 + step)); }

} // namespace ds
