#pragma once
// The common surface of the reverse-process samplers (one algorithm per file in samplers/).
// A sampler visits a decreasing grid of schedule indices k_0 > k_1 > … > k_{n−1}; step(i)
// moves x from index k_i to k_{i+1}, where the index after the last is −1 (clean data, ᾱ = 1).
// runSampler() owns the loop: it feeds one observer per step (previews, trajectories,
// progress, pixel probes) and stops when the observer or the stop token asks.
#include "denoiser.h"
#include "noise_source.h"
#include "stop_token.h"
#include "timesteps.h"

#include <ATen/core/Tensor.h>

#include <functional>
#include <string_view>
#include <vector>

namespace ds {

enum class SigmaMode {
    Small, // σ_t² = β̃_t = (1 − ᾱ_{t−1})/(1 − ᾱ_t) · β_t, the posterior variance (lower bound)
    Large  // σ_t² = β_t (upper bound); seed 003 explains why neither is the true variance
};
std::string_view name(SigmaMode s);
SigmaMode sigmaModeFromString(std::string_view text);
std::string sigmaModeChoices();

struct SamplerOptions {
    int64_t steps = 50;                 // reverse steps (grid points); 1..T
    Spacing spacing = Spacing::LogSnr;  // which indices the steps visit; measured best (docs/benchmarks.md)
    double eta = 0.0;                   // DDIM: σ = η · √β̃ on the strided grid; 0 = deterministic
    SigmaMode sigma = SigmaMode::Small;  // DDPM: σ² = β̃ or β
    double sigmaScale = 1.0;            // DDPM: multiplies σ_t; 0 gives the mean path
    bool clipDenoised = false;          // clamp x̂0 to the data range before each update
    int64_t window = 32;                // Picard samplers: steps solved together per round
    double tolerance = 1e-3;            // Picard samplers: RMS change (data units) that counts as converged
};

struct StepOutput {
    at::Tensor x;  // state at the next grid index
    at::Tensor x0; // the model's x̂0 this step used
};

class Sampler {
public:
    virtual ~Sampler() = default;
    virtual std::string_view name() const = 0;

    // Prepares a run: builds the grid and resets any multistep history.
    void begin(const Schedule& schedule, const SamplerOptions& options);
    virtual StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) = 0;

    int64_t stepCount() const { return int64_t(grid_.size()); }
    // Rounds of network calls that had to run one after another in the last run; −1 when
    // that is simply one per network pass (every sequential sampler).
    virtual int64_t sequentialRounds() const { return -1; }
    // The kind of model this sampler drives (runSampler refuses others with a clear message).
    virtual ModelRole role() const { return ModelRole::Denoiser; }
    const std::vector<int64_t>& grid() const { return grid_; }
    // Index the state has after step i: grid[i + 1], or −1 after the last step.
    int64_t nextIndex(int64_t i) const { return i + 1 < stepCount() ? grid_[size_t(i + 1)] : -1; }

protected:
    virtual void onBegin() {}
    // The indices to visit; by default the spacing's grid of `steps` points.
    virtual std::vector<int64_t> makeGrid(const Schedule& schedule, const SamplerOptions& options) const;
    // One network pass at grid point i, with x̂0 clipped if asked and ε̂ made consistent with it.
    Estimate evaluate(Denoiser& denoiser, const at::Tensor& x, int64_t k) const;
    double alphaBar(int64_t k) const { return schedule_->alphaBarAt(k); }

    const Schedule* schedule_ = nullptr;
    SamplerOptions options_;
    std::vector<int64_t> grid_;
};

struct StepEvent {
    int64_t step = 0;    // steps completed, 1..steps
    int64_t steps = 0;   // steps in the run
    int64_t t = 0;       // t of x after this step (k + 1; 0 = the final sample)
    at::Tensor x;        // state after the step
    at::Tensor x0;       // the model's x̂0 at this step
};
// Called after every step; return false to stop the run.
using StepObserver = std::function<bool(const StepEvent&)>;

struct SampleRun {
    at::Tensor x;               // final state (the sample, or the last state if stopped)
    int64_t completedSteps = 0;
    bool cancelled = false;
    DenoiserUsage usage;        // network passes and time of this run
    int64_t rounds = 0;         // network calls that ran one after another (= passes unless parallel)
    double seconds = 0;         // wall time of the whole run
};

// Throws ds::Error naming the model and the samplers that can use it when roles differ.
void requireCompatible(const Sampler& sampler, const Denoiser& denoiser);

// Starting noise x_T ~ N(0, I) for n samples of the denoiser's shape (the first draw of a run).
at::Tensor initialNoise(const Denoiser& denoiser, int64_t n, NoiseSource& noise);

// Runs the sampler from xT to the end of its grid. Per-step noise comes from `noise`, in
// step order. Throws ds::Error for bad options (steps out of range, wrong xT shape).
SampleRun runSampler(Sampler& sampler, Denoiser& denoiser, const at::Tensor& xT, const SamplerOptions& options,
                     NoiseSource& noise, const StepObserver& observer = {}, const StopToken* stop = nullptr);

} // namespace ds
