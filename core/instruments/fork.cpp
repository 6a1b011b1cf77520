#include "fork.h"

#include "models/error.h"
#include "core/samplers/sampler_registry.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {
namespace {

// Root mean square of a − b; NaN when either is missing.
double rmsDifference(const at::Tensor& a, const at::Tensor& b)
{
    if (!a.defined() || !b.defined())
        return std::nan("");
    return std::sqrt((a.to(at::kDouble) - b.to(at::kDouble)).square().mean().item<double>());
}

// The parent's index k_k, then the fork options' own grid below it.
std::vector<int64_t> forkGrid(const Denoiser& denoiser, Sampler& sampler, const SamplerOptions& options, int64_t start)
{
    sampler.begin(denoiser.schedule(), options);
    std::vector<int64_t> grid{start};
    for (auto k : sampler.grid())
        if (k < start)
            grid.push_back(k);
    return grid;
}

} // namespace

RecordedRun recordRun(Denoiser& denoiser, const std::string& samplerName, const SamplerOptions& options, uint64_t seed,
                      const at::Tensor& xT, int64_t drawsBefore, const StopToken* stop)
{
    RecordedRun run;
    run.sampler = samplerName;
    run.options = options;
    run.seed = seed;
    auto sampler = makeSampler(samplerName);
    NoiseSource noise(seed, denoiser.device());
    for (int64_t i = 0; i < drawsBefore; ++i)
        noise.normal(xT.sizes());
    run.trajectory.append(denoiser.schedule().steps(), xT);
    run.drawsAfter.push_back(drawsBefore);
    auto observer = [&](const StepEvent& e) {
        run.trajectory.appendAfterStep(e.t, e.x, e.x0);
        run.drawsAfter.push_back(noise.draws());
        return true;
    };
    auto result = runSampler(*sampler, denoiser, xT, options, noise, observer, stop);
    require(!result.cancelled, "the run was stopped after ", result.completedSteps, " steps");
    run.grid = sampler->grid();
    return run;
}

Fork forkAt(Denoiser& denoiser, const RecordedRun& parent, int64_t k, const std::string& samplerName,
            const SamplerOptions& options, const StopToken* stop)
{
    const auto steps = int64_t(parent.grid.size());
    require(k >= 0 && k < steps, "fork: step ", k, " is outside the parent's steps 0..", steps - 1);
    require(parent.trajectory.size() == steps + 1, "fork: the parent run has no recorded states");
    auto sampler = makeSampler(samplerName);
    const auto grid = forkGrid(denoiser, *sampler, options, parent.grid[size_t(k)]);

    Fork fork;
    fork.at = k;
    fork.run.sampler = samplerName;
    fork.run.options = options;
    fork.run.seed = parent.seed;
    for (int64_t i = 0; i <= k; ++i) {
        fork.run.trajectory.append(parent.trajectory.t(i), parent.trajectory.frame(i), parent.trajectory.predictedX0(i));
        fork.run.drawsAfter.push_back(parent.drawsAfter[size_t(i)]);
    }
    NoiseSource noise(parent.seed, denoiser.device());
    const auto x = parent.trajectory.frame(k).to(denoiser.device());
    for (int64_t i = 0; i < parent.drawsAfter[size_t(k)]; ++i) // the parent's stream, continued
        noise.normal(x.sizes());
    auto observer = [&](const StepEvent& e) {
        fork.run.trajectory.appendAfterStep(e.t, e.x, e.x0);
        fork.run.drawsAfter.push_back(noise.draws());
        return true;
    };
    auto result = runSamplerOnGrid(*sampler, denoiser, x, options, grid, noise, observer, stop);
    require(!result.cancelled, "the fork was stopped after ", result.completedSteps, " steps");
    fork.run.grid.assign(parent.grid.begin(), parent.grid.begin() + k);
    fork.run.grid.insert(fork.run.grid.end(), grid.begin(), grid.end());

    const auto frames = fork.run.trajectory.size();
    fork.drift = at::empty({frames}, at::kDouble);
    fork.driftX0 = at::empty({frames}, at::kDouble);
    for (int64_t i = 0; i < frames; ++i) {
        const int64_t t = fork.run.trajectory.t(i), j = parent.trajectory.nearestFrame(t);
        fork.t.push_back(t);
        fork.drift[i] = rmsDifference(fork.run.trajectory.frame(i), parent.trajectory.frame(j));
        fork.driftX0[i] = rmsDifference(fork.run.trajectory.predictedX0(i), parent.trajectory.predictedX0(j));
    }
    return fork;
}

} // namespace ds
