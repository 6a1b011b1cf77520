#include "schedule.h"

#include "enum_names.h"
#include "error.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>
#include <sstream>

namespace ds {
namespace {

constexpr EnumTable<ScheduleKind, 3> kScheduleNames{{
    {ScheduleKind::Linear, "linear"},
    {ScheduleKind::Cosine, "cosine"},
    {ScheduleKind::PixelAware, "pixel-aware"},
}};

// β_t = linspace(β_1, β_T, T) (Ho et al. 2020).
at::Tensor linearBetas(const ScheduleSpec& s)
{
    return at::linspace(s.betaStart, s.betaEnd, s.T, at::kDouble);
}

// ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2); β_t = min(1 − ᾱ_t/ᾱ_{t−1}, 0.999)
// (Nichol & Dhariwal 2021, eq. 17; the clip keeps β_T < 1).
at::Tensor cosineBetas(const ScheduleSpec& s)
{
    auto f = [&](double t) {
        double c = std::cos((t / double(s.T) + s.cosineOffset) / (1.0 + s.cosineOffset) * std::numbers::pi / 2);
        return c * c;
    };
    auto betas = at::empty({s.T}, at::kDouble);
    auto* b = betas.data_ptr<double>();
    for (int64_t k = 0; k < s.T; ++k)
        b[k] = std::min(1.0 - f(double(k + 1)) / f(double(k)), 0.999);
    return betas;
}

} // namespace

std::string_view name(ScheduleKind kind) { return enumName(kScheduleNames, kind); }
ScheduleKind scheduleKindFromString(std::string_view text) { return enumFromString(kScheduleNames, text, "schedule"); }
std::string scheduleKindChoices() { return enumChoices(kScheduleNames); }

ScheduleSpec ScheduleSpec::linear(int64_t T, double betaStart, double betaEnd)
{
    ScheduleSpec s;
    s.kind = ScheduleKind::Linear;
    s.T = T;
    s.betaStart = betaStart;
    s.betaEnd = betaEnd;
    return s;
}

ScheduleSpec ScheduleSpec::cosine(int64_t T, double offset)
{
    ScheduleSpec s;
    s.kind = ScheduleKind::Cosine;
    s.T = T;
    s.cosineOffset = offset;
    return s;
}

ScheduleSpec ScheduleSpec::pixelAware(int64_t T, double gamma, double epsilon)
{
    ScheduleSpec s;
    s.kind = ScheduleKind::PixelAware;
    s.T = T;
    s.gamma = gamma;
    s.epsilon = epsilon;
    return s;
}

void ScheduleSpec::validate() const
{
    require(T >= 1 && T <= 100000, "schedule: T must be in 1..100000 (got " + std::to_string(T) + ")");
    switch (kind) {
    case ScheduleKind::Linear:
        require(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd,
                "linear schedule: need 0 < beta_start <= beta_end < 1");
        break;
    case ScheduleKind::Cosine:
        require(cosineOffset >= 0 && cosineOffset < 1, "cosine schedule: offset s must be in [0, 1)");
        break;
    case ScheduleKind::PixelAware:
        require(gamma > 0, "pixel-aware schedule: gamma must be > 0");
        require(epsilon > 0 && epsilon < 1, "pixel-aware schedule: epsilon must be in (0, 1)");
        break;
    }
}

std::string ScheduleSpec::describe() const
{
    std::ostringstream out;
    out << name(kind) << " T=" << T;
    if (kind == ScheduleKind::Linear)
        out << " beta=[" << betaStart << ", " << betaEnd << "]";
    else if (kind == ScheduleKind::Cosine)
        out << " s=" << cosineOffset;
    else
        out << " gamma=" << gamma << " eps=" << epsilon;
    return out.str();
}

nlohmann::json toJson(const ScheduleSpec& s)
{
    nlohmann::json j{{"kind", std::string(name(s.kind))}, {"T", s.T}};
    if (s.kind == ScheduleKind::Linear) {
        j["beta_start"] = s.betaStart;
        j["beta_end"] = s.betaEnd;
    } else if (s.kind == ScheduleKind::Cosine) {
        j["s"] = s.cosineOffset;
    } else {
        j["gamma"] = s.gamma;
        j["epsilon"] = s.epsilon;
    }
    return j;
}

ScheduleSpec scheduleSpecFromJson(const nlohmann::json& j, const std::string& where)
{
    require(j.is_object(), where + ": \"schedule\" must be an object");
    ScheduleSpec s;
    try {
        s.kind = scheduleKindFromString(j.at("kind").get<std::string>());
        s.T = j.at("T").get<int64_t>();
        s.betaStart = j.value("beta_start", s.betaStart);
        s.betaEnd = j.value("beta_end", s.betaEnd);
        s.cosineOffset = j.value("s", s.cosineOffset);
        s.gamma = j.value("gamma", s.gamma);
        s.epsilon = j.value("epsilon", s.epsilon);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": bad schedule: " + e.what());
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    try {
        s.validate();
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    return s;
}

Schedule::Schedule(const ScheduleSpec& spec, DataRange range) : spec_(spec), range_(range)
{
    spec_.validate();
    require(range_.valid(), "schedule: data range must have hi > lo");
    if (perPixel())
        return;
    betas_ = spec_.kind == ScheduleKind::Linear ? linearBetas(spec_) : cosineBetas(spec_);
    alphasCumprod_ = at::cumprod(1.0 - betas_, 0);
}

void Schedule::requireScalar(std::string_view who) const
{
    require(!perPixel(), std::string(who) + " needs a scalar schedule; the pixel-aware schedule depends on the "
                         "clean image (use the pixel-aware sampler)");
}

const at::Tensor& Schedule::betas() const
{
    requireScalar("the beta table");
    return betas_;
}

const at::Tensor& Schedule::alphasCumprod() const
{
    requireScalar("the alpha-bar table");
    return alphasCumprod_;
}

void Schedule::checkIndex(int64_t k) const
{
    require(k >= -1 && k < spec_.T, "timestep index " + std::to_string(k) + " outside [-1, "
                                        + std::to_string(spec_.T - 1) + "]");
}

double Schedule::alphaBarAt(int64_t k) const
{
    checkIndex(k);
    return k < 0 ? 1.0 : alphasCumprod().data_ptr<double>()[k];
}

at::Tensor Schedule::scalarAlphaBar(const at::Tensor& k) const
{
    // Prepend ᾱ_0 = 1 so index k = −1 maps to row 0.
    auto table = at::cat({at::ones({1}, at::kDouble), alphasCumprod_});
    auto rows = (k.to(at::kLong).cpu() + 1).clamp(0, spec_.T);
    return table.index_select(0, rows.reshape({-1})).to(at::kFloat);
}

at::Tensor Schedule::alphaBar(int64_t k, const at::Tensor& x0) const
{
    checkIndex(k);
    if (!perPixel()) {
        auto device = x0.defined() ? x0.device() : at::Device(at::kCPU);
        return at::scalar_tensor(alphaBarAt(k), at::TensorOptions().dtype(at::kFloat).device(device));
    }
    require(x0.defined(), "the pixel-aware schedule needs the clean image to give alpha-bar");
    return alphaBarFromRate(pixelRate(x0), k);
}

at::Tensor Schedule::alphaBar(const at::Tensor& k, const at::Tensor& x0) const
{
    auto kmin = k.min().item<int64_t>(), kmax = k.max().item<int64_t>();
    checkIndex(kmin);
    checkIndex(kmax);
    if (!perPixel()) {
        auto device = x0.defined() ? x0.device() : k.device();
        return scalarAlphaBar(k).reshape({-1, 1, 1, 1}).to(device);
    }
    require(x0.defined() && x0.dim() == 4 && x0.size(0) == k.numel(),
            "the pixel-aware schedule needs the clean images [N, C, H, W] matching the N indices");
    auto steps = (k.to(at::kFloat).to(x0.device()) + 1).reshape({-1, 1, 1, 1});
    return at::exp(-pixelRate(x0) * steps);
}

at::Tensor Schedule::alpha(int64_t k, const at::Tensor& x0) const
{
    checkIndex(k);
    require(k >= 0, "alpha_t is defined for t >= 1 only");
    return alphaBar(k, x0) / alphaBar(k - 1, x0);
}

at::Tensor Schedule::beta(int64_t k, const at::Tensor& x0) const { return 1.0 - alpha(k, x0); }

at::Tensor Schedule::rescaledData(const at::Tensor& x0) const
{
    const double eps = spec_.epsilon;
    auto unit = (x0.to(at::kFloat) - range_.lo) / range_.width();
    return (eps + (1.0 - eps) * unit).clamp(eps, 1.0);
}

at::Tensor Schedule::pixelRate(const at::Tensor& x0) const
{
    return rescaledData(x0) * (spec_.gamma / double(spec_.T));
}

at::Tensor Schedule::pixelRateFromScale(const at::Tensor& xDelta) const
{
    // x_δ = exp(−γ x̃0) lies in [e^{−γ}, e^{−γε}]; clamp so a poor estimate stays a valid rate.
    auto lo = std::exp(-spec_.gamma), hi = std::exp(-spec_.gamma * spec_.epsilon);
    return -at::log(xDelta.to(at::kFloat).clamp(lo, hi)) / double(spec_.T);
}

at::Tensor Schedule::alphaBarFromRate(const at::Tensor& rate, int64_t k)
{
    return at::exp(-rate * double(k + 1));
}

} // namespace ds
