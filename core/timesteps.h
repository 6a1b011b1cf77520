#pragma once
// Which schedule indices a sampler with fewer steps than T visits.
#include "schedule.h"

#include <string>
#include <string_view>
#include <vector>

namespace ds {

enum class Spacing {
    Leading,  // k = (n−1)·⌊T/n⌋, …, ⌊T/n⌋, 0 (DDIM paper, diffusers "leading"): never starts at T
    Trailing, // k = round(T − j·T/n) − 1, j = 0..n−1: starts at k = T−1 (Lin et al. 2024, Table 2)
    LogSnr    // indices nearest to n points uniform in λ = log(ᾱ/(1−ᾱ)) from λ_{T−1} to λ_0
};
std::string_view name(Spacing s);
Spacing spacingFromString(std::string_view text);
std::string spacingChoices();

// n strictly decreasing indices in [0, T−1] (n in 1..T), the order a sampler visits them.
std::vector<int64_t> timestepGrid(const Schedule& schedule, int64_t n, Spacing spacing);

} // namespace ds
