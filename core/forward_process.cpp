#include "forward_process.h"

#include "models/error.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

constexpr EnumTable<ForwardMode, 3> kForwardNames{{
    {ForwardMode::ClosedForm, "closed-form"},
    {ForwardMode::Markov, "markov"},
    {ForwardMode::SharedEpsilon, "shared-eps"},
}};

bool keepFrame(int64_t t, int64_t T, int64_t every) { return t == 0 || t == T || t % every == 0; }

} // namespace

std::string_view name(ForwardMode mode) { return enumName(kForwardNames, mode); }
ForwardMode forwardModeFromString(std::string_view text) { return enumFromString(kForwardNames, text, "forward mode"); }
std::string forwardModeChoices() { return enumChoices(kForwardNames); }

at::Tensor diffuse(const Schedule& schedule, const at::Tensor& x0, int64_t k, const at::Tensor& eps)
{
    auto abar = schedule.alphaBar(k, x0);
    return at::sqrt(abar) * x0 + at::sqrt(1.0 - abar) * eps;
}

at::Tensor diffuse(const Schedule& schedule, const at::Tensor& x0, const at::Tensor& k, const at::Tensor& eps)
{
    auto abar = schedule.alphaBar(k, x0);
    return at::sqrt(abar) * x0 + at::sqrt(1.0 - abar) * eps;
}

at::Tensor markovStep(const Schedule& schedule, const at::Tensor& xPrev, const at::Tensor& x0, int64_t k,
                      const at::Tensor& eps)
{
    auto a = schedule.alpha(k, x0);
    return at::sqrt(a) * xPrev + at::sqrt(1.0 - a) * eps;
}

Trajectory forwardTrajectory(const Schedule& schedule, const at::Tensor& x0, const ForwardOptions& options,
                             NoiseSource& noise, const std::function<bool(int64_t t)>& keepGoing)
{
    require(x0.dim() == 4, "forward process: x0 must be [N, C, H, W]");
    require(options.every >= 1, "forward process: --every must be >= 1");
    const int64_t T = schedule.steps();
    Trajectory out(options.storage);
    out.reserve(T / options.every + 2);
    out.append(0, x0);
    auto shared = options.mode == ForwardMode::SharedEpsilon ? noise.normal(x0.sizes()) : at::Tensor();
    auto x = x0;
    for (int64_t t = 1; t <= T; ++t) {
        const int64_t k = t - 1;
        switch (options.mode) {
        case ForwardMode::ClosedForm: x = diffuse(schedule, x0, k, noise.normal(x0.sizes())); break;
        case ForwardMode::Markov: x = markovStep(schedule, x, x0, k, noise.normal(x0.sizes())); break;
        case ForwardMode::SharedEpsilon: x = diffuse(schedule, x0, k, shared); break;
        }
        if (keepFrame(t, T, options.every))
            out.append(t, x);
        if (keepGoing && !keepGoing(t))
            break;
    }
    return out;
}

} // namespace ds
