#include "timesteps.h"

#include "core/enum_names.h"
#include "models/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

constexpr EnumTable<Spacing, 6> kSpacingNames{{
    {Spacing::Leading, "leading"},
    {Spacing::Trailing, "trailing"},
    {Spacing::Linspace, "linspace"},
    {Spacing::LogSnr, "logsnr"},
    {Spacing::Karras, "karras"},
    {Spacing::Exponential, "exponential"},
}};

// numpy's np.round: halves go to the even neighbour (banker's rounding), as diffusers' grids do.
int64_t roundHalfEven(double v) { return int64_t(std::nearbyint(v)); }

// diffusers "leading": arange(0, n) · ⌊T/n⌋ reversed, plus steps_offset.
std::vector<int64_t> leading(int64_t T, int64_t n, int64_t offset)
{
    std::vector<int64_t> ks;
    const int64_t ratio = T / n;
    for (int64_t j = n - 1; j >= 0; --j)
        ks.push_back(j * ratio + offset);
    return ks;
}

// diffusers "trailing": round(arange(T, 0, −T/n)) − 1, numpy rounding.
std::vector<int64_t> trailing(int64_t T, int64_t n)
{
    std::vector<int64_t> ks;
    for (int64_t j = 0; j < n; ++j)
        ks.push_back(roundHalfEven(double(T) + double(j) * (-double(T) / double(n))) - 1); // numpy arange: start + j·step
    return ks;
}

// diffusers "linspace": round(linspace(0, T − 1, n)) reversed, plus steps_offset.
std::vector<int64_t> linspace(int64_t T, int64_t n, int64_t offset)
{
    std::vector<int64_t> ks;
    for (int64_t j = n - 1; j >= 0; --j) {
        const double v = n == 1 ? 0.0 : double(j) * double(T - 1) / double(n - 1);
        ks.push_back(roundHalfEven(v) + offset);
    }
    return ks;
}

// Greedy nearest match of n target values (decreasing) against a per-index curve that
// increases with k, kept strictly decreasing: each pick lies below the previous one and leaves
// room for the picks still to come.
std::vector<int64_t> nearestDecreasing(const double* curve, int64_t T, const std::vector<double>& targets)
{
    const int64_t n = int64_t(targets.size());
    std::vector<int64_t> ks;
    int64_t upper = T - 1;
    for (int64_t j = 0; j < n; ++j) {
        const int64_t lower = n - 1 - j; // indices still needed below this one
        int64_t best = upper;
        for (int64_t k = upper; k >= lower; --k)
            if (std::abs(curve[k] - targets[size_t(j)]) < std::abs(curve[best] - targets[size_t(j)]))
                best = k;
        ks.push_back(best);
        upper = best - 1;
    }
    return ks;
}

// log σ per index, σ = √((1 − ᾱ)/ᾱ): the VP schedule's noise level in k-diffusion's terms.
std::vector<double> logSigmas(const Schedule& schedule)
{
    auto abar = schedule.alphasCumprod();
    auto lsig = (0.5 * at::log((1.0 - abar) / abar)).contiguous();
    return {lsig.data_ptr<double>(), lsig.data_ptr<double>() + lsig.numel()};
}

// Karras et al. 2022 eq. 5: σ_j = (σ_max^{1/ρ} + j/(n−1) (σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, matched
// in log σ (diffusers' use_karras_sigmas maps σ to t the same way, but keeps fractional t).
std::vector<int64_t> karras(const Schedule& schedule, int64_t n, double rho)
{
    require(rho > 0, "Karras rho must be > 0");
    const auto ls = logSigmas(schedule);
    const int64_t T = schedule.steps();
    const double hi = std::pow(std::exp(ls[size_t(T - 1)]), 1.0 / rho), lo = std::pow(std::exp(ls[0]), 1.0 / rho);
    std::vector<double> targets;
    for (int64_t j = 0; j < n; ++j)
        targets.push_back(std::log(std::pow(n == 1 ? hi : hi + double(j) / double(n - 1) * (lo - hi), rho)));
    return nearestDecreasing(ls.data(), T, targets);
}

// n points uniform in λ = log(ᾱ/(1−ᾱ)) from λ_{T−1} to λ_0; λ decreases with k, so match −λ.
std::vector<int64_t> logSnr(const Schedule& schedule, int64_t n)
{
    const auto ls = logSigmas(schedule); // −λ/2
    const int64_t T = schedule.steps();
    std::vector<double> targets;
    for (int64_t j = 0; j < n; ++j)
        targets.push_back(n == 1 ? ls[size_t(T - 1)] : ls[size_t(T - 1)] + (ls[0] - ls[size_t(T - 1)]) * double(j) / double(n - 1));
    return nearestDecreasing(ls.data(), T, targets);
}

} // namespace

std::string_view name(Spacing s) { return enumName(kSpacingNames, s); }
Spacing spacingFromString(std::string_view text) { return enumFromString(kSpacingNames, text, "spacing"); }
std::string spacingChoices() { return enumChoices(kSpacingNames); }

std::vector<int64_t> timestepGrid(const Schedule& schedule, int64_t n, Spacing spacing, int64_t offset, double rho)
{
    const int64_t T = schedule.steps();
    require(n >= 1, "steps must be >= 1 (got " + std::to_string(n) + ")");
    require(n <= T, "steps (" + std::to_string(n) + ") cannot exceed the schedule's T = " + std::to_string(T));
    require(offset >= 0, "steps offset must be >= 0");
    std::vector<int64_t> grid;
    switch (spacing) {
    case Spacing::Leading: grid = leading(T, n, offset); break;
    case Spacing::Trailing: grid = trailing(T, n); break;
    case Spacing::Linspace: grid = linspace(T, n, offset); break;
    case Spacing::LogSnr:
    case Spacing::Karras:
    case Spacing::Exponential:
        schedule.requireScalar(std::string(name(spacing)) + " spacing");
        // Exponential (k-diffusion: uniform log σ) is uniform λ = −2 log σ: the log-SNR grid.
        grid = spacing != Spacing::Karras ? logSnr(schedule, n)
             : karras(schedule, n, rho);
        break;
    }
    require(grid.front() < T, "steps offset " + std::to_string(offset) + " puts the first step past T − 1 = "
                                  + std::to_string(T - 1));
    return grid;
}

} // namespace ds
