#include "sampler.h"

#include "enum_names.h"
#include "error.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <chrono>

namespace ds {
namespace {

constexpr EnumTable<SigmaMode, 2> kSigmaNames{{
    {SigmaMode::Small, "small"},
    {SigmaMode::Large, "large"},
}};

} // namespace

std::string_view name(SigmaMode s) { return enumName(kSigmaNames, s); }
SigmaMode sigmaModeFromString(std::string_view text) { return enumFromString(kSigmaNames, text, "sigma mode"); }
std::string sigmaModeChoices() { return enumChoices(kSigmaNames); }

void Sampler::begin(const Schedule& schedule, const SamplerOptions& options)
{
    if (role() != ModelRole::PixelAware)
        schedule.requireScalar(std::string("the ") + std::string(name()) + " sampler");
    require(options.eta >= 0, "eta must be >= 0");
    require(options.sigmaScale >= 0, "sigma scale must be >= 0");
    schedule_ = &schedule;
    options_ = options;
    grid_ = makeGrid(schedule, options);
    onBegin();
}

std::vector<int64_t> Sampler::makeGrid(const Schedule& schedule, const SamplerOptions& options) const
{
    return timestepGrid(schedule, options.steps, options.spacing);
}

namespace {

std::string samplersFor(ModelRole role)
{
    switch (role) {
    case ModelRole::Denoiser: return "ddpm, ddim, dpmpp-2m, euler-sde, pf-ode-heun or a picard-* sampler";
    case ModelRole::DnmDelta: return "--sampler dnm";
    case ModelRole::PixelAware: return "--sampler pixel-aware";
    }
    return "?";
}

} // namespace

void requireCompatible(const Sampler& sampler, const Denoiser& denoiser)
{
    const auto have = denoiser.info().role;
    require(have == sampler.role(), denoiser.info().source + " is a " + std::string(name(have))
                                        + " model, which the " + std::string(sampler.name())
                                        + " sampler cannot use (it needs a " + std::string(name(sampler.role()))
                                        + " model); use " + samplersFor(have));
}

Estimate Sampler::evaluate(Denoiser& denoiser, const at::Tensor& x, int64_t k) const
{
    auto e = denoiser.estimate(x, k);
    if (!options_.clipDenoised)
        return e;
    const auto range = denoiser.info().range;
    auto x0 = e.x0.clamp(range.lo, range.hi);
    const double abar = alphaBar(k);
    return {(x - std::sqrt(abar) * x0) / std::sqrt(1.0 - abar), x0};
}

at::Tensor initialNoise(const Denoiser& denoiser, int64_t n, NoiseSource& noise)
{
    require(n >= 1, "number of samples must be >= 1 (got " + std::to_string(n) + ")");
    const auto& s = denoiser.info().shape;
    return noise.normal({n, s[0], s[1], s[2]});
}

SampleRun runSampler(Sampler& sampler, Denoiser& denoiser, const at::Tensor& xT, const SamplerOptions& options,
                     NoiseSource& noise, const StepObserver& observer, const StopToken* stop)
{
    c10::NoGradGuard noGrad;
    requireCompatible(sampler, denoiser);
    sampler.begin(denoiser.schedule(), options);
    const auto& s = denoiser.info().shape;
    require(xT.dim() == 4 && xT.size(1) == s[0] && xT.size(2) == s[1] && xT.size(3) == s[2],
            "initial x_T must be [N, " + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ", "
                + std::to_string(s[2]) + "] for this model");
    const auto before = denoiser.usage();
    const auto start = std::chrono::steady_clock::now();
    SampleRun run;
    run.x = xT.to(denoiser.device(), at::kFloat);
    for (int64_t i = 0; i < sampler.stepCount(); ++i) {
        if (stop && stop->stopRequested()) {
            run.cancelled = true;
            break;
        }
        auto out = sampler.step(denoiser, run.x, i, noise);
        run.x = out.x;
        run.completedSteps = i + 1;
        if (observer && !observer({i + 1, sampler.stepCount(), sampler.nextIndex(i) + 1, out.x, out.x0})) {
            run.cancelled = i + 1 < sampler.stepCount();
            break;
        }
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto& after = denoiser.usage();
    run.usage = {after.passes - before.passes, after.samples - before.samples, after.seconds - before.seconds};
    run.rounds = sampler.sequentialRounds() >= 0 ? sampler.sequentialRounds() : run.usage.passes;
    return run;
}

} // namespace ds
