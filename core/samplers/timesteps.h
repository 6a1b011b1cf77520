#pragma once
// Which schedule indices a sampler with fewer steps than T visits.
#include "core/schedule.h"

#include <string>
#include <string_view>
#include <vector>

namespace ds {

enum class Spacing {
    Leading,     // k = (n−1)·⌊T/n⌋, …, ⌊T/n⌋, 0 (+ steps_offset) (DDIM paper, diffusers "leading")
    Trailing,    // k = round_half_even(T − j·T/n) − 1, j = 0..n−1: starts at k = T−1 (Lin et al. 2024)
    Linspace,    // k = round_half_even(linspace(0, T−1, n)) reversed (+ steps_offset) (diffusers "linspace")
    LogSnr,      // indices nearest to n points uniform in λ = log(ᾱ/(1−ᾱ)) from λ_{T−1} to λ_0
    Karras,      // indices nearest in log σ (σ = √((1−ᾱ)/ᾱ)) to Karras et al.'s ρ-grid from σ_max to σ_min
    Exponential  // k-diffusion's grid uniform in log σ: on a discrete VP schedule the same indices as LogSnr (λ = −2 log σ)
};
std::string_view name(Spacing s);
Spacing spacingFromString(std::string_view text);
std::string spacingChoices();

// n strictly decreasing indices in [0, T−1] (n in 1..T), the order a sampler visits them.
// `offset` is diffusers' steps_offset (leading and linspace only); `rho` the Karras ρ.
std::vector<int64_t> timestepGrid(const Schedule& schedule, int64_t n, Spacing spacing, int64_t offset = 0,
                                  double rho = 7.0);

} // namespace ds
