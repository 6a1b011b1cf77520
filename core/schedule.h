#pragma once
// Noise schedules. Notation (DESIGN.md): t = 1..T, α_t = 1 − β_t, ᾱ_t = ∏_{s≤t} α_s, ᾱ_0 = 1.
// Code indexes steps 0-based, the diffusers convention: index k holds t = k + 1, and k = −1
// stands for the clean data (ᾱ = 1).
//
// Every schedule answers ᾱ as a tensor that broadcasts against an image batch [N, C, H, W]:
// scalar schedules (linear, cosine) give shape [N, 1, 1, 1] or a 0-dim tensor; the pixel-aware
// schedule (seed 002) gives one value per pixel, derived from the clean image. So scalar and
// per-pixel schedules share every code path that only needs ᾱ.
#include "core/data/data_range.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ds {

enum class ScheduleKind {
    Linear,        // β_t = linspace(β_1, β_T, T) (Ho et al.)
    ScaledLinear,  // β_t = linspace(√β_1, √β_T, T)² (diffusers "scaled_linear", latent diffusion)
    Sigmoid,       // β_t = sigmoid(linspace(−6, 6, T))·(β_T − β_1) + β_1 (diffusers "sigmoid")
    Cosine,        // Nichol & Dhariwal 2021 (diffusers "squaredcos_cap_v2")
    PixelAware,    // seed 002: per-pixel ᾱ from the clean image
    Betas,         // an explicit table β_1..β_T (diffusers `trained_betas`, geometric or truncated betas)
    AlphasCumprod  // an explicit table ᾱ_1..ᾱ_T
};
std::string_view name(ScheduleKind kind);
ScheduleKind scheduleKindFromString(std::string_view text);
std::string scheduleKindChoices();

struct ScheduleSpec {
    ScheduleKind kind = ScheduleKind::Linear;
    int64_t T = 1000;            // number of diffusion steps
    double betaStart = 1e-4;     // linear: β_1 (Ho et al.)
    double betaEnd = 0.02;       // linear: β_T
    double cosineOffset = 0.008; // cosine: s in f(t) = cos²((t/T + s)/(1 + s) · π/2)
    double gamma = 20.0;         // pixel-aware: γ in ᾱ_i = exp(−γ i x̃0 / T)
    double epsilon = 4e-3;       // pixel-aware: floor ε of the rescaled data x̃0 ∈ [ε, 1]
    std::vector<double> values;  // betas / alphas_cumprod: the explicit table, length T
    bool rescaleZeroTerminalSnr = false; // Lin et al. 2024, Alg. 1: shift and scale √ᾱ so ᾱ_T = 0

    static ScheduleSpec linear(int64_t T = 1000, double betaStart = 1e-4, double betaEnd = 0.02);
    static ScheduleSpec cosine(int64_t T = 1000, double offset = 0.008);
    static ScheduleSpec pixelAware(int64_t T = 200, double gamma = 20.0, double epsilon = 4e-3);
    static ScheduleSpec explicitBetas(std::vector<double> betas);
    static ScheduleSpec explicitAlphasCumprod(std::vector<double> alphasCumprod);

    // Throws ds::Error naming the bad field.
    void validate() const;
    std::string describe() const;
};

nlohmann::json toJson(const ScheduleSpec& spec);
// Reads {"kind": ..., "T": ...} plus the kind's parameters; `where` names the source in errors.
ScheduleSpec scheduleSpecFromJson(const nlohmann::json& j, const std::string& where);

class Schedule {
public:
    // `range` is the data range of x0: the pixel-aware schedule rescales it to [ε, 1].
    explicit Schedule(const ScheduleSpec& spec = {}, DataRange range = {});

    const ScheduleSpec& spec() const { return spec_; }
    DataRange range() const { return range_; }
    int64_t steps() const { return spec_.T; }
    bool perPixel() const { return spec_.kind == ScheduleKind::PixelAware; }

    // Scalar schedules only (throw for pixel-aware): float64 tables of length T, index k.
    const at::Tensor& betas() const;
    const at::Tensor& alphasCumprod() const;
    double alphaBarAt(int64_t k) const; // k = −1 gives 1
    // ᾱ at the last index: well above 0 means x_T is not N(0, I) (truncated schedules).
    double terminalAlphaBar() const;

    // ᾱ at index k (or per-sample indices k: int64 [N]) broadcast against x0 [N, C, H, W].
    // Pixel-aware schedules need the clean image `x0` (data range); scalar ones ignore it.
    at::Tensor alphaBar(int64_t k, const at::Tensor& x0 = {}) const;
    at::Tensor alphaBar(const at::Tensor& k, const at::Tensor& x0 = {}) const;
    // One-step α_t and β_t = 1 − α_t at index k.
    at::Tensor alpha(int64_t k, const at::Tensor& x0 = {}) const;
    at::Tensor beta(int64_t k, const at::Tensor& x0 = {}) const;

    // Pixel-aware helpers. x̃0 = ε + (1 − ε)(x0 − lo)/(hi − lo), clamped to [ε, 1].
    at::Tensor rescaledData(const at::Tensor& x0) const;
    // Per-pixel decay rate r = γ x̃0 / T, so ᾱ_k = exp(−r (k + 1)) and α = exp(−r).
    at::Tensor pixelRate(const at::Tensor& x0) const;
    // The same rate from the scale x_δ = exp(−γ x̃0) (seed 002 eq. 7): r = −ln(x_δ) / T.
    at::Tensor pixelRateFromScale(const at::Tensor& xDelta) const;
    // ᾱ at index k from a per-pixel rate (Algorithm 1 uses the rate of an estimated x_δ).
    static at::Tensor alphaBarFromRate(const at::Tensor& rate, int64_t k);

    void requireScalar(std::string_view who) const;

private:
    at::Tensor scalarAlphaBar(const at::Tensor& k) const;
    void checkIndex(int64_t k) const;

    ScheduleSpec spec_;
    DataRange range_;
    at::Tensor betas_;         // [T] float64, scalar schedules
    at::Tensor alphasCumprod_; // [T] float64, scalar schedules
};

} // namespace ds
