#include "sampler.h"

#include "core/enum_names.h"
#include "models/error.h"
#include "sampler_registry.h"
#include "x0_threshold.h"

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
    begin(schedule, options, makeGrid(schedule, options));
}

void Sampler::begin(const Schedule& schedule, const SamplerOptions& options, std::vector<int64_t> grid)
{
    if (role() != ModelRole::PixelAware)
        schedule.requireScalar(std::string("the ") + std::string(name()) + " sampler");
    require(options.eta >= 0, "eta must be >= 0");
    require(options.sigmaScale >= 0, "sigma scale must be >= 0");
    require(options.clipRange >= 0, "clip range must be >= 0 (0: the data range)");
    require(options.thresholdQuantile > 0 && options.thresholdQuantile <= 1, "threshold quantile must be in (0, 1]");
    require(options.thresholdMax >= 1, "threshold max must be >= 1");
    require(options.churn >= 0 && options.churnNoise >= 0, "churn and churn noise must be >= 0");
    require(!grid.empty(), "the timestep grid is empty");
    for (size_t i = 0; i < grid.size(); ++i) {
        require(grid[i] >= 0 && grid[i] < schedule.steps(),
                "timestep grid entry " + std::to_string(grid[i]) + " outside [0, " + std::to_string(schedule.steps() - 1) + "]");
        require(i == 0 || grid[i] < grid[i - 1], "the timestep grid must be strictly decreasing");
    }
    schedule_ = &schedule;
    options_ = options;
    grid_ = std::move(grid);
    onBegin();
}

std::vector<int64_t> Sampler::makeGrid(const Schedule& schedule, const SamplerOptions& options) const
{
    return timestepGrid(schedule, options.steps, options.spacing, options.stepsOffset, options.karrasRho);
}

StepOutput Sampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    auto t = transition(denoiser, x, {i});
    const double scale = noiseScale(i);
    if (scale == 0.0)
        return {t.mean, t.x0};
    return {t.mean + scale * noise.normal(x.sizes()), t.x0};
}

Transition Sampler::transition(Denoiser&, const at::Tensor&, const std::vector<int64_t>&)
{
    throw Error("the " + std::string(name()) + " sampler has no batched transition (it is multistep or whole-chain)");
}

// β̃ of the strided step k → k': (1 − ᾱ')/(1 − ᾱ) · (1 − ᾱ/ᾱ'); 0 on the final step.
double Sampler::stepVariance(int64_t i) const
{
    const double abar = alphaBar(grid_[size_t(i)]), abarNext = alphaBar(nextIndex(i));
    return (1.0 - abarNext) / (1.0 - abar) * (1.0 - abar / abarNext);
}

at::Tensor Sampler::rowIndices(const std::vector<int64_t>& positions, int64_t rowsPerPosition, bool next) const
{
    std::vector<int64_t> ks;
    for (auto p : positions)
        ks.push_back(next ? nextIndex(p) : grid_[size_t(p)]);
    return at::tensor(ks, at::kLong).repeat_interleave(rowsPerPosition);
}

at::Tensor Sampler::perRow(const std::vector<int64_t>& positions, int64_t rowsPerPosition, const at::Tensor& like,
                           const std::function<double(int64_t)>& value) const
{
    std::vector<double> values;
    for (auto p : positions)
        values.push_back(value(p));
    auto column = at::tensor(values, at::kDouble).to(at::kFloat).repeat_interleave(rowsPerPosition);
    return column.reshape({-1, 1, 1, 1}).to(like.device());
}

void requireCompatible(const Sampler& sampler, const Denoiser& denoiser)
{
    const auto have = denoiser.info().role;
    // The exact per-pixel oracle stands in for G_θ and R_φ (pixel_aware_sampler.h).
    if (sampler.role() == ModelRole::PixelAware && have == ModelRole::Denoiser && denoiser.schedule().perPixel())
        return;
    require(have == sampler.role(), denoiser.info().source + " is a " + std::string(name(have))
                                        + " model, which the " + std::string(sampler.name())
                                        + " sampler cannot use (it needs a " + std::string(name(sampler.role()))
                                        + " model); use " + samplerNamesFor(have));
}

Estimate Sampler::evaluate(Denoiser& denoiser, const at::Tensor& x, int64_t k) const
{
    return evaluate(denoiser, x, at::full({x.size(0)}, k, at::kLong));
}

at::Tensor thresholdX0(const at::Tensor& x0In, const SamplerOptions& options, DataRange range)
{
    auto x0 = x0In;
    if (options.dynamicThreshold) {
        auto flat = x0.abs().reshape({x0.size(0), -1});
        auto s = at::quantile(flat, options.thresholdQuantile, 1).clamp(1.0, options.thresholdMax);
        s = s.reshape({-1, 1, 1, 1});
        x0 = at::max(at::min(x0, s), -s) / s;
    }
    if (options.clipDenoised) {
        const double lo = options.clipRange > 0 ? -options.clipRange : range.lo;
        const double hi = options.clipRange > 0 ? options.clipRange : range.hi;
        x0 = x0.clamp(lo, hi);
    }
    return x0;
}

// With thresholding, ε̂ = (x − √ᾱ x̂0)/√(1 − ᾱ) is made consistent with the thresholded x̂0.
Estimate Sampler::evaluate(Denoiser& denoiser, const at::Tensor& x, const at::Tensor& k) const
{
    auto e = denoiser.estimate(x, k);
    if (!options_.clipDenoised && !options_.dynamicThreshold)
        return e;
    auto x0 = thresholdX0(e.x0, options_, denoiser.info().range);
    auto abar = schedule_->alphaBar(k).to(x.device());
    return {(x - at::sqrt(abar) * x0) / at::sqrt(1.0 - abar), x0};
}

at::Tensor initialNoise(const Denoiser& denoiser, int64_t n, NoiseSource& noise)
{
    require(n >= 1, "number of samples must be >= 1 (got " + std::to_string(n) + ")");
    const auto& s = denoiser.info().shape;
    return noise.normal({n, s[0], s[1], s[2]});
}

StepOutput WholeChainSampler::step(Denoiser&, const at::Tensor&, int64_t i, NoiseSource&)
{
    require(size_t(i + 1) < states_.size(), "the ", name(), " sampler was stepped before it solved");
    return {states_[size_t(i + 1)], x0_.empty() ? states_.back() : x0_[size_t(i)]};
}

namespace {

void requireStartShape(const Denoiser& denoiser, const at::Tensor& xT)
{
    const auto& s = denoiser.info().shape;
    require(xT.dim() == 4 && xT.size(1) == s[0] && xT.size(2) == s[1] && xT.size(3) == s[2],
            "initial x_T must be [N, " + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ", "
                + std::to_string(s[2]) + "] for this model");
}

// Opens a step's interval on the noise source for the length of one step() call.
struct StepBracket {
    NoiseSource& noise;
    StepBracket(NoiseSource& n, int64_t from, int64_t to) : noise(n) { noise.beginStep(from, to); }
    ~StepBracket() { noise.endStep(); }
    StepBracket(const StepBracket&) = delete;
    StepBracket& operator=(const StepBracket&) = delete;
};

// The step loop: whole-chain samplers solve first (observable rounds, cancellable), then
// every sampler hands its states to the observer one step at a time.
void stepThrough(Sampler& sampler, Denoiser& denoiser, SampleRun& run, NoiseSource& noise, const StepObserver& observer,
                 const StopToken* stop, const RoundObserver& rounds)
{
    if (auto* chain = dynamic_cast<WholeChainSampler*>(&sampler)) {
        if (!chain->solve(denoiser, run.x, noise, rounds, stop)) {
            run.cancelled = true;
            return;
        }
    }
    for (int64_t i = 0; i < sampler.stepCount(); ++i) {
        if (stop && stop->stopRequested()) {
            run.cancelled = true;
            return;
        }
        // The step announces its interval (k_i → k_{i+1}) to the noise: a shared Brownian
        // path serves it the z of that interval; without one this changes nothing.
        const StepBracket bracket(noise, sampler.grid()[size_t(i)], sampler.nextIndex(i));
        auto out = sampler.step(denoiser, run.x, i, noise);
        run.x = out.x;
        run.completedSteps = i + 1;
        if (observer && !observer({i + 1, sampler.stepCount(), sampler.nextIndex(i) + 1, out.x, out.x0})) {
            run.cancelled = i + 1 < sampler.stepCount();
            return;
        }
    }
}

} // namespace

SampleRun runSampler(Sampler& sampler, Denoiser& denoiser, const at::Tensor& xT, const SamplerOptions& options,
                     NoiseSource& noise, const StepObserver& observer, const StopToken* stop, const RoundObserver& rounds)
{
    return runSamplerOnGrid(sampler, denoiser, xT, options, {}, noise, observer, stop, rounds);
}

SampleRun runSamplerOnGrid(Sampler& sampler, Denoiser& denoiser, const at::Tensor& xT, const SamplerOptions& options,
                           std::vector<int64_t> grid, NoiseSource& noise, const StepObserver& observer,
                           const StopToken* stop, const RoundObserver& rounds)
{
    c10::NoGradGuard noGrad;
    requireCompatible(sampler, denoiser);
    if (grid.empty())
        sampler.begin(denoiser.schedule(), options);
    else
        sampler.begin(denoiser.schedule(), options, std::move(grid));
    requireStartShape(denoiser, xT);
    const auto before = denoiser.usage();
    const auto start = std::chrono::steady_clock::now();
    SampleRun run;
    run.x = xT.to(denoiser.device(), at::kFloat);
    stepThrough(sampler, denoiser, run, noise, observer, stop, rounds);
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto& after = denoiser.usage();
    run.usage = {after.passes - before.passes, after.samples - before.samples, after.seconds - before.seconds};
    run.rounds = sampler.sequentialRounds() >= 0 ? sampler.sequentialRounds() : run.usage.passes;
    return run;
}

} // namespace ds
