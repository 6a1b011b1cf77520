#include "round_trip.h"

#include "models/error.h"
#include "core/samplers/heun_ode_sampler.h"
#include "core/samplers/sampler_registry.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

namespace ds {
namespace {

constexpr int64_t kFixedPointIterations = 50;
constexpr double kFixedPointTolerance = 1e-6;

// Solves x̂0(x, k) = x0 for x by x ← √ᾱ x0 + √(1 − ᾱ) ε̂(x, k), starting from x0 itself.
at::Tensor invertLastStep(Denoiser& denoiser, const at::Tensor& x0, int64_t k, Inversion& out)
{
    const double abar = denoiser.schedule().alphaBarAt(k);
    auto x = std::sqrt(abar) * x0;
    for (out.fixedPointIterations = 1; out.fixedPointIterations <= kFixedPointIterations; ++out.fixedPointIterations) {
        auto next = std::sqrt(abar) * x0 + std::sqrt(1.0 - abar) * denoiser.estimate(x, k).eps;
        out.fixedPointResidual = (next - x).abs().max().item<double>();
        x = next;
        if (out.fixedPointResidual <= kFixedPointTolerance)
            break;
    }
    return x;
}

// One step k → kUp (kUp > k) of the probability-flow ODE in y = x/√ᾱ, σ.
at::Tensor stepUp(Denoiser& denoiser, const at::Tensor& x, int64_t k, int64_t kUp, InversionMethod method)
{
    const auto& schedule = denoiser.schedule();
    const double abar = schedule.alphaBarAt(k), abarUp = schedule.alphaBarAt(kUp);
    const double ds = flowSigma(abarUp) - flowSigma(abar);
    const auto eps = denoiser.estimate(x, k).eps;
    const auto y = x / std::sqrt(abar);
    auto yUp = y + ds * eps;
    if (method == InversionMethod::Heun) {
        const auto corrector = denoiser.estimate(yUp * std::sqrt(abarUp), kUp).eps;
        yUp = y + 0.5 * ds * (eps + corrector);
    }
    return yUp * std::sqrt(abarUp);
}

} // namespace

InversionMethod inversionMethodFor(const std::string& sampler, const SamplerOptions& options)
{
    if (sampler == "ddim") {
        require(options.eta == 0, "round trip: ddim inverts only with eta = 0 (got ", options.eta, ")");
        return InversionMethod::Euler;
    }
    require(sampler == "pf-ode-heun", "round trip: sampler '", sampler,
            "' cannot be inverted; use ddim (eta = 0) or pf-ode-heun");
    return InversionMethod::Heun;
}

Inversion invertToNoise(Denoiser& denoiser, const at::Tensor& x0, const std::vector<int64_t>& grid,
                        InversionMethod method)
{
    c10::NoGradGuard noGrad;
    require(!grid.empty(), "round trip: empty grid");
    require(denoiser.info().role == ModelRole::Denoiser, "round trip: ", denoiser.info().source,
            " is not an ε/x0/v denoiser");
    denoiser.schedule().requireScalar("the round trip");
    Inversion out;
    auto x = invertLastStep(denoiser, x0.to(denoiser.device(), at::kFloat), grid.back(), out);
    for (size_t i = grid.size() - 1; i > 0; --i)
        x = stepUp(denoiser, x, grid[i], grid[i - 1], method);
    out.xT = x;
    return out;
}

RoundTrip roundTrip(Denoiser& denoiser, const at::Tensor& x0, const std::string& samplerName,
                    const SamplerOptions& options)
{
    const auto method = inversionMethodFor(samplerName, options);
    require(!options.clipDenoised && !options.dynamicThreshold,
            "round trip: clipping or thresholding x̂0 makes the flow not invertible; turn them off");
    auto sampler = makeSampler(samplerName);
    sampler->begin(denoiser.schedule(), options);
    RoundTrip out;
    out.grid = sampler->grid();
    const int64_t before = denoiser.usage().passes;
    out.inversion = invertToNoise(denoiser, x0, out.grid, method);
    NoiseSource noise(0, denoiser.device()); // deterministic: nothing is drawn
    auto run = runSamplerOnGrid(*sampler, denoiser, out.inversion.xT, options, out.grid, noise);
    out.reconstruction = run.x.to(at::kCPU);
    const auto diff = out.reconstruction.to(at::kDouble) - x0.to(at::kCPU, at::kDouble);
    out.errorMap = diff.abs().to(at::kFloat);
    out.rmse = std::sqrt(diff.square().mean().item<double>());
    out.maxError = diff.abs().max().item<double>();
    out.passes = denoiser.usage().passes - before;
    return out;
}

std::vector<RoundTripPoint> roundTripErrorCurve(Denoiser& denoiser, const at::Tensor& x0, const std::string& sampler,
                                                SamplerOptions options, const std::vector<int64_t>& steps)
{
    std::vector<RoundTripPoint> out;
    for (auto n : steps) {
        options.steps = n;
        auto r = roundTrip(denoiser, x0, sampler, options);
        out.push_back({n, r.rmse, r.maxError});
    }
    return out;
}

} // namespace ds
