#include "schedule.h"

#include "enum_names.h"
#include "models/error.h"
#include "models/json_fields.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

namespace ds {
namespace {

constexpr EnumTable<ScheduleKind, 7> kScheduleNames{{
    {ScheduleKind::Linear, "linear"},
    {ScheduleKind::ScaledLinear, "scaled-linear"},
    {ScheduleKind::Sigmoid, "sigmoid"},
    {ScheduleKind::Cosine, "cosine"},
    {ScheduleKind::PixelAware, "pixel-aware"},
    {ScheduleKind::Betas, "betas"},
    {ScheduleKind::AlphasCumprod, "alphas-cumprod"},
}};

// ᾱ_T after zero-terminal-SNR rescaling is exactly 0, which breaks x̂0 = (x − √(1−ᾱ)ε)/√ᾱ,
// σ = √((1−ᾱ)/ᾱ) and λ = log(ᾱ/(1−ᾱ)) at the last index. diffusers' Euler schedulers set it to
// 2^−24 for the same reason (DDIM divides by √0 and relies on v-prediction). We floor it at
// min(2^−24, ᾱ_{T−1}/2): the rescaled ᾱ_{T−1} can itself be below 2^−24 (linear, T = 1000:
// ≈ 4.2e−9), and a plain 2^−24 would make ᾱ increase at the last step (σ_T < σ_{T−1}).
constexpr double kTerminalAlphaBarFloor = 5.9604644775390625e-08; // 2^−24

// β_t = linspace(β_1, β_T, T) (Ho et al. 2020).
at::Tensor linearBetas(const ScheduleSpec& s)
{
    return at::linspace(s.betaStart, s.betaEnd, s.T, at::kDouble);
}

// β_t = linspace(√β_1, √β_T, T)² (diffusers "scaled_linear").
at::Tensor scaledLinearBetas(const ScheduleSpec& s)
{
    return at::linspace(std::sqrt(s.betaStart), std::sqrt(s.betaEnd), s.T, at::kDouble).pow(2);
}

// β_t = sigmoid(linspace(−6, 6, T))·(β_T − β_1) + β_1 (diffusers "sigmoid", GeoDiff).
at::Tensor sigmoidBetas(const ScheduleSpec& s)
{
    return at::sigmoid(at::linspace(-6.0, 6.0, s.T, at::kDouble)) * (s.betaEnd - s.betaStart) + s.betaStart;
}

// ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2); β_t = min(1 − ᾱ_t/ᾱ_{t−1}, 0.999)
// (Nichol & Dhariwal 2021, eq. 17; the clip keeps β_T < 1). This is exactly diffusers'
// betas_for_alpha_bar (squaredcos_cap_v2, s = 0.008, max_beta = 0.999), in float64.
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

at::Tensor tableTensor(const std::vector<double>& values)
{
    return at::tensor(at::ArrayRef<double>(values), at::kDouble).clone();
}

at::Tensor scalarBetas(const ScheduleSpec& s)
{
    switch (s.kind) {
    case ScheduleKind::Linear: return linearBetas(s);
    case ScheduleKind::ScaledLinear: return scaledLinearBetas(s);
    case ScheduleKind::Sigmoid: return sigmoidBetas(s);
    case ScheduleKind::Cosine: return cosineBetas(s);
    case ScheduleKind::Betas: return tableTensor(s.values);
    default: break;
    }
    throw Error("schedule: no beta formula for '" + std::string(name(s.kind)) + "'");
}

// β_t = 1 − ᾱ_t/ᾱ_{t−1} with ᾱ_0 = 1.
at::Tensor betasFromAlphaBars(const at::Tensor& abar)
{
    auto previous = at::cat({at::ones({1}, at::kDouble), abar.slice(0, 0, abar.size(0) - 1)});
    return 1.0 - abar / previous;
}

// Lin et al. 2024, Algorithm 1: √ᾱ ← (√ᾱ − √ᾱ_T)·√ᾱ_1/(√ᾱ_1 − √ᾱ_T), so √ᾱ_1 is kept and ᾱ_T = 0;
// then ᾱ_T is floored (see kTerminalAlphaBarFloor).
at::Tensor rescaleZeroTerminalSnr(const at::Tensor& abar)
{
    auto root = abar.sqrt();
    const double first = root[0].item<double>(), last = root[-1].item<double>();
    root = (root - last) * (first / (first - last));
    auto out = root.pow(2);
    auto* a = out.data_ptr<double>();
    const int64_t T = out.size(0);
    a[T - 1] = std::min(kTerminalAlphaBarFloor, 0.5 * a[T - 2]);
    return out;
}

// ᾱ strictly decreasing in (0, 1]; a last 0 only when it is about to be floored by rescaling.
// (Messages are built only on failure: these loops run over tables of up to 100000 entries.)
void checkAlphaBars(const double* a, int64_t T, bool allowZeroLast, const std::string& what)
{
    for (int64_t k = 0; k < T; ++k) {
        const bool zeroOk = allowZeroLast && k == T - 1 && a[k] == 0.0;
        if (!(std::isfinite(a[k]) && a[k] <= 1.0 && (a[k] > 0.0 || zeroOk)))
            throw Error(what + ": alpha-bar[" + std::to_string(k) + "] = " + std::to_string(a[k])
                        + " is outside (0, 1]"
                        + (a[k] == 0.0 ? " (a zero terminal alpha-bar needs rescale_zero_terminal_snr)" : ""));
        if (k > 0 && !(a[k] < a[k - 1]))
            throw Error(what + ": alpha-bar must decrease strictly (index " + std::to_string(k) + ")");
    }
}

void validateTable(const ScheduleSpec& s)
{
    const std::string what = std::string(name(s.kind)) + " schedule";
    require(!s.values.empty(), what + ": the table is empty");
    require(int64_t(s.values.size()) == s.T, what + ": T = " + std::to_string(s.T) + " but the table has "
                                                 + std::to_string(s.values.size()) + " entries");
    if (s.kind == ScheduleKind::AlphasCumprod) {
        checkAlphaBars(s.values.data(), s.T, s.rescaleZeroTerminalSnr, what);
        return;
    }
    std::vector<double> abar(s.values.size());
    double product = 1.0;
    for (size_t k = 0; k < s.values.size(); ++k) {
        const double b = s.values[k];
        if (!(std::isfinite(b) && b > 0.0 && b <= 1.0))
            throw Error(what + ": beta[" + std::to_string(k) + "] = " + std::to_string(b) + " is outside (0, 1]");
        abar[k] = product *= 1.0 - b;
    }
    checkAlphaBars(abar.data(), s.T, s.rescaleZeroTerminalSnr, what);
}

void validateBetaRange(const ScheduleSpec& s)
{
    require(s.betaStart > 0 && s.betaEnd < 1 && s.betaStart <= s.betaEnd,
            std::string(name(s.kind)) + " schedule: need 0 < beta_start <= beta_end < 1");
}

// "scaled_linear" (diffusers' spelling) reads as "scaled-linear".
ScheduleKind kindFromJson(std::string text)
{
    std::replace(text.begin(), text.end(), '_', '-');
    return scheduleKindFromString(text);
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

ScheduleSpec ScheduleSpec::explicitBetas(std::vector<double> betas)
{
    ScheduleSpec s;
    s.kind = ScheduleKind::Betas;
    s.T = int64_t(betas.size());
    s.values = std::move(betas);
    return s;
}

ScheduleSpec ScheduleSpec::explicitAlphasCumprod(std::vector<double> alphasCumprod)
{
    ScheduleSpec s;
    s.kind = ScheduleKind::AlphasCumprod;
    s.T = int64_t(alphasCumprod.size());
    s.values = std::move(alphasCumprod);
    return s;
}

void ScheduleSpec::validate() const
{
    require(T >= 1 && T <= 100000, "schedule: T must be in 1..100000 (got " + std::to_string(T) + ")");
    switch (kind) {
    case ScheduleKind::Linear:
    case ScheduleKind::ScaledLinear:
    case ScheduleKind::Sigmoid:
        validateBetaRange(*this);
        break;
    case ScheduleKind::Cosine:
        require(cosineOffset >= 0 && cosineOffset < 1, "cosine schedule: offset s must be in [0, 1)");
        break;
    case ScheduleKind::PixelAware:
        require(gamma > 0, "pixel-aware schedule: gamma must be > 0");
        require(epsilon > 0 && epsilon < 1, "pixel-aware schedule: epsilon must be in (0, 1)");
        require(!rescaleZeroTerminalSnr, "pixel-aware schedule: rescale_zero_terminal_snr needs a scalar schedule");
        break;
    case ScheduleKind::Betas:
    case ScheduleKind::AlphasCumprod:
        validateTable(*this);
        break;
    }
    require(!rescaleZeroTerminalSnr || T >= 2, "schedule: rescale_zero_terminal_snr needs T >= 2");
}

std::string ScheduleSpec::describe() const
{
    std::ostringstream out;
    out << name(kind) << " T=" << T;
    switch (kind) {
    case ScheduleKind::Linear:
    case ScheduleKind::ScaledLinear:
    case ScheduleKind::Sigmoid: out << " beta=[" << betaStart << ", " << betaEnd << "]"; break;
    case ScheduleKind::Cosine: out << " s=" << cosineOffset; break;
    case ScheduleKind::PixelAware: out << " gamma=" << gamma << " eps=" << epsilon; break;
    case ScheduleKind::Betas:
    case ScheduleKind::AlphasCumprod:
        if (!values.empty())
            out << " table=[" << values.front() << " .. " << values.back() << "]";
        break;
    }
    if (rescaleZeroTerminalSnr)
        out << " zero-terminal-snr";
    return out.str();
}

nlohmann::json toJson(const ScheduleSpec& s)
{
    nlohmann::json j{{"kind", std::string(name(s.kind))}, {"T", s.T}};
    switch (s.kind) {
    case ScheduleKind::Linear:
    case ScheduleKind::ScaledLinear:
    case ScheduleKind::Sigmoid:
        j["beta_start"] = s.betaStart;
        j["beta_end"] = s.betaEnd;
        break;
    case ScheduleKind::Cosine: j["s"] = s.cosineOffset; break;
    case ScheduleKind::PixelAware:
        j["gamma"] = s.gamma;
        j["epsilon"] = s.epsilon;
        break;
    case ScheduleKind::Betas: j["betas"] = s.values; break;
    case ScheduleKind::AlphasCumprod: j["alphas_cumprod"] = s.values; break;
    }
    if (s.rescaleZeroTerminalSnr)
        j["rescale_zero_terminal_snr"] = true;
    return j;
}

namespace {

ScheduleSpec parseSpec(const nlohmann::json& j, const std::string& where)
{
    const JsonFields f(j, where + ": schedule");
    ScheduleSpec s;
    s.kind = kindFromJson(f.requiredString("kind"));
    if (s.kind == ScheduleKind::Betas || s.kind == ScheduleKind::AlphasCumprod) {
        const char* key = s.kind == ScheduleKind::Betas ? "betas" : "alphas_cumprod";
        require(f.has(key), "needs \"", key, "\": an array of numbers");
        s.values = f.numbers(key, {});
        s.T = f.integer("T", int64_t(s.values.size()));
    } else {
        s.T = f.requiredInteger("T");
    }
    s.betaStart = f.number("beta_start", s.betaStart);
    s.betaEnd = f.number("beta_end", s.betaEnd);
    s.cosineOffset = f.number("s", s.cosineOffset);
    s.gamma = f.number("gamma", s.gamma);
    s.epsilon = f.number("epsilon", s.epsilon);
    s.rescaleZeroTerminalSnr = f.boolean("rescale_zero_terminal_snr", false);
    return s;
}

} // namespace

ScheduleSpec scheduleSpecFromJson(const nlohmann::json& j, const std::string& where)
{
    require(j.is_object(), where + ": \"schedule\" must be an object");
    ScheduleSpec s;
    try {
        s = parseSpec(j, where);
    } catch (const Error& e) { // JsonFields' messages name `where` already
        const std::string message = e.what();
        throw Error(message.rfind(where + ": ", 0) == 0 ? message : where + ": " + message);
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
    if (spec_.kind == ScheduleKind::AlphasCumprod) {
        alphasCumprod_ = tableTensor(spec_.values);
    } else {
        betas_ = scalarBetas(spec_);
        alphasCumprod_ = at::cumprod(1.0 - betas_, 0);
    }
    if (spec_.rescaleZeroTerminalSnr)
        alphasCumprod_ = rescaleZeroTerminalSnr(alphasCumprod_);
    if (!betas_.defined() || spec_.rescaleZeroTerminalSnr)
        betas_ = betasFromAlphaBars(alphasCumprod_);
    checkAlphaBars(alphasCumprod_.data_ptr<double>(), spec_.T, false, std::string(name(spec_.kind)) + " schedule");
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

double Schedule::terminalAlphaBar() const
{
    // Pixel-aware: the darkest pixel (x̃0 = ε) keeps the most signal, ᾱ_T = exp(−γ ε).
    return perPixel() ? std::exp(-spec_.gamma * spec_.epsilon) : alphaBarAt(spec_.T - 1);
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
