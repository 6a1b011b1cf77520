#include "timesteps.h"

#include "enum_names.h"
#include "error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

constexpr EnumTable<Spacing, 3> kSpacingNames{{
    {Spacing::Leading, "leading"},
    {Spacing::Trailing, "trailing"},
    {Spacing::LogSnr, "logsnr"},
}};

std::vector<int64_t> leading(int64_t T, int64_t n)
{
    std::vector<int64_t> ks;
    const int64_t ratio = T / n;
    for (int64_t j = n - 1; j >= 0; --j)
        ks.push_back(j * ratio);
    return ks;
}

std::vector<int64_t> trailing(int64_t T, int64_t n)
{
    std::vector<int64_t> ks;
    for (int64_t j = 0; j < n; ++j)
        ks.push_back(int64_t(std::llround(double(T) - double(j) * double(T) / double(n))) - 1);
    return ks;
}

// Greedy nearest match in λ, kept strictly decreasing: each pick lies below the previous one
// and leaves room for the picks still to come.
std::vector<int64_t> logSnr(const Schedule& schedule, int64_t n)
{
    const int64_t T = schedule.steps();
    auto abar = schedule.alphasCumprod();
    auto lambda = at::log(abar / (1.0 - abar));
    const auto* lam = lambda.data_ptr<double>();
    std::vector<int64_t> ks;
    int64_t upper = T - 1;
    for (int64_t j = 0; j < n; ++j) {
        const double target = n == 1 ? lam[T - 1] : lam[T - 1] + (lam[0] - lam[T - 1]) * double(j) / double(n - 1);
        const int64_t lower = n - 1 - j; // indices still needed below this one
        int64_t best = upper;
        for (int64_t k = upper; k >= lower; --k)
            if (std::abs(lam[k] - target) < std::abs(lam[best] - target))
                best = k;
        ks.push_back(best);
        upper = best - 1;
    }
    return ks;
}

} // namespace

std::string_view name(Spacing s) { return enumName(kSpacingNames, s); }
Spacing spacingFromString(std::string_view text) { return enumFromString(kSpacingNames, text, "spacing"); }
std::string spacingChoices() { return enumChoices(kSpacingNames); }

std::vector<int64_t> timestepGrid(const Schedule& schedule, int64_t n, Spacing spacing)
{
    const int64_t T = schedule.steps();
    require(n >= 1, "steps must be >= 1 (got " + std::to_string(n) + ")");
    require(n <= T, "steps (" + std::to_string(n) + ") cannot exceed the schedule's T = " + std::to_string(T));
    switch (spacing) {
    case Spacing::Leading: return leading(T, n);
    case Spacing::Trailing: return trailing(T, n);
    case Spacing::LogSnr:
        schedule.requireScalar("log-SNR spacing");
        return logSnr(schedule, n);
    }
    return {};
}

} // namespace ds
