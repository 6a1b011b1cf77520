#include "health_report.h"

#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/forward_process.h"
#include "core/samplers/sampler_registry.h"
#include "core/snr.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>
#include <limits>
#include <sstream>

namespace ds {
namespace {

// The target of the model's parameterisation from ε̂ and x̂0 (or the true ε and x0).
at::Tensor target(Prediction p, const at::Tensor& eps, const at::Tensor& x0, const at::Tensor& abar)
{
    switch (p) {
    case Prediction::Epsilon: return eps;
    case Prediction::X0: return x0;
    case Prediction::V: return at::sqrt(abar) * eps - at::sqrt(1 - abar) * x0;
    }
    return eps;
}

double mse(const at::Tensor& a, const at::Tensor& b) { return (a.to(at::kDouble) - b.to(at::kDouble)).square().mean().item<double>(); }

HealthBucket measureBucket(Denoiser& model, Denoiser* reference, const at::Tensor& x0, int64_t tBegin, int64_t tEnd,
                           NoiseSource& noise)
{
    const auto p = model.info().prediction;
    const int64_t m = x0.size(0);
    // One t per item, uniform in the bucket, drawn from the run's stream: u ~ N(0, 1) → Φ(u).
    auto u = noise.normal({m}).to(at::kCPU, at::kDouble);
    auto phi = 0.5 * (1 + at::erf(u / std::sqrt(2.0)));
    auto k = (tBegin - 1 + at::floor(phi * double(tEnd - tBegin + 1))).clamp(tBegin - 1, tEnd - 1).to(at::kLong);
    auto eps = noise.normal(x0.sizes());
    auto xt = diffuse(model.schedule(), x0, k.to(x0.device()), eps);
    auto abar = model.schedule().alphaBar(k).to(x0.device(), at::kFloat);
    const auto truth = target(p, eps, x0, abar);
    HealthBucket b{tBegin, tEnd};
    const auto e = model.estimate(xt, k.to(model.device()));
    b.mse = mse(target(p, e.eps, e.x0, abar), truth);
    b.constantMse = truth.to(at::kDouble).var(0, false).mean().item<double>();
    b.oracleMse = std::numeric_limits<double>::quiet_NaN();
    if (reference) {
        const auto r = reference->estimate(xt, k.to(reference->device()));
        b.oracleMse = mse(target(p, r.eps, r.x0, abar), truth);
    }
    return b;
}

std::string describe(const ValueStats& s)
{
    std::ostringstream out;
    out << "mean " << s.mean << ", std " << s.std << ", range [" << s.min << ", " << s.max << "]";
    return out.str();
}

void flagProblems(HealthReport& r, const HealthOptions& options)
{
    const auto name = r.target == "epsilon" ? std::string("ε") : r.target;
    for (const auto& b : r.buckets)
        if (b.mse > 1.25 * b.constantMse) // margin: the constant is fitted to these very targets
            r.flags.push_back(name + "-MSE " + std::to_string(b.mse) + " at t in [" + std::to_string(b.tBegin) + ", "
                              + std::to_string(b.tEnd) + "] is worse than predicting a constant ("
                              + std::to_string(b.constantMse) + ")");
    // At t = T an ε model's x̂0 = (x_T − √(1−ᾱ) ε̂)/√ᾱ_T magnifies small ε̂ errors ~1/√ᾱ_T
    // times, so its extremes are wide even for good models: only its mean is checked.
    if (std::abs(r.x0AtT.mean - r.data.mean) > 0.5 * r.range.width())
        r.flags.push_back("x̂0 at t = T (" + describe(r.x0AtT) + ") is far from the data's mean " + std::to_string(r.data.mean));
    if (r.samplesOutside > options.maxOutsideFraction)
        r.flags.push_back(std::to_string(100 * r.samplesOutside) + "% of sample values lie outside the data range "
                          + r.range.toString() + ": " + describe(r.samples));
    if (std::abs(r.samples.mean - r.data.mean) > 0.25 * r.range.width() || r.samples.std > 2 * r.data.std + 0.05 * r.range.width())
        r.flags.push_back("samples (" + describe(r.samples) + ") do not match the data (" + describe(r.data) + ")");
    if (r.terminalAlphaBar > kPriorMismatchAlphaBar)
        r.flags.push_back("prior mismatch: ᾱ_T = " + std::to_string(r.terminalAlphaBar) + ", so x_T is not N(0, I) ("
                          + std::to_string(r.priorKl) + " nats per pixel)");
}

} // namespace

ValueStats valueStats(const at::Tensor& x)
{
    auto d = x.to(at::kCPU, at::kDouble);
    return {d.mean().item<double>(), d.std().item<double>(), d.min().item<double>(), d.max().item<double>()};
}

HealthReport healthReport(Denoiser& model, const at::Tensor& heldOut, Denoiser* reference, const HealthOptions& options,
                          NoiseSource& noise)
{
    c10::NoGradGuard noGrad;
    const auto& info = model.info();
    require(info.role == ModelRole::Denoiser, "health: ", info.source, " is a ", name(info.role),
            " model; the report checks ε/x0/v denoisers");
    model.schedule().requireScalar("the health report");
    require(heldOut.dim() == 4 && heldOut.size(0) >= 1, "health: held-out data must be [M, C, H, W] with M >= 1");
    require(options.buckets >= 1 && options.buckets <= model.schedule().steps(), "health: buckets must be in 1..T");
    HealthReport r;
    r.model = info.source;
    r.target = std::string(name(info.prediction));
    r.range = info.range;
    const auto x0 = heldOut.to(model.device(), at::kFloat);
    r.data = valueStats(x0);
    const int64_t T = model.schedule().steps();
    for (int64_t b = 0; b < options.buckets; ++b)
        r.buckets.push_back(measureBucket(model, reference, x0, 1 + b * T / options.buckets,
                                          (b + 1) * T / options.buckets, noise));

    auto xT = initialNoise(model, std::max<int64_t>(options.samples, 1), noise);
    r.x0AtT = valueStats(model.estimate(xT, T - 1).x0);
    auto sampler = makeSampler(options.sampler);
    auto sampleOptions = defaultOptions(options.sampler);
    sampleOptions.steps = options.steps;
    auto run = runSampler(*sampler, model, xT, sampleOptions, noise);
    r.samples = valueStats(run.x);
    const double margin = options.outsideTolerance * r.range.width();
    auto outside = (run.x < r.range.lo - margin).logical_or(run.x > r.range.hi + margin);
    r.samplesOutside = outside.to(at::kDouble).mean().item<double>();
    r.terminalAlphaBar = model.schedule().terminalAlphaBar();
    r.priorKl = terminalPriorKl(model.schedule(), x0.to(at::kCPU)).to(at::kDouble).mean().item<double>();
    flagProblems(r, options);
    return r;
}

} // namespace ds
