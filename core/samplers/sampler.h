#pragma once
// The common surface of the reverse-process samplers (one algorithm per file in samplers/).
// A sampler visits a decreasing grid of schedule indices k_0 > k_1 > … > k_{n−1}; step(i)
// moves x from index k_i to k_{i+1}, where the index after the last is −1 (clean data, ᾱ = 1).
// runSampler() owns the loop: it feeds one observer per step (previews, trajectories,
// progress, pixel probes) and stops when the observer or the stop token asks.
#include "core/denoisers/denoiser.h"
#include "core/noise_source.h"
#include "core/stop_token.h"
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
    Spacing spacing = Spacing::LogSnr;  // which indices the steps visit (see timesteps.h)
    int64_t stepsOffset = 0;            // diffusers `steps_offset`: added to leading / linspace grids
    double karrasRho = 7.0;             // Karras grid: ρ in σ_i = (σ_max^{1/ρ} + i/(n−1)(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ
    double eta = 0.0;                   // DDIM: σ = η · √β̃; ancestral / SDE samplers: the noise fraction η
    SigmaMode sigma = SigmaMode::Small; // DDPM: σ² = β̃ or β
    double sigmaScale = 1.0;            // DDPM: multiplies σ_t; 0 gives the mean path; DNM: s in σ_t = s√Δt
    bool clipDenoised = false;          // static thresholding: clamp x̂0 to ±clipRange before each update
    double clipRange = 0.0;             // 0: the model's data range; else [−clipRange, clipRange] (diffusers clip_sample_range)
    bool dynamicThreshold = false;      // Imagen's dynamic thresholding of x̂0 (Saharia et al. 2022, §2.3)
    double thresholdQuantile = 0.995;   // dynamic thresholding: percentile p of |x̂0| per sample
    double thresholdMax = 1.0;          // dynamic thresholding: s is clamped to [1, thresholdMax]
    double churn = 0.0;                 // EDM stochastic Heun: S_churn (0 = deterministic Heun)
    double churnTMin = 0.0;             // EDM: S_tmin, churn only where σ ∈ [S_tmin, S_tmax]
    double churnTMax = 1e30;            // EDM: S_tmax
    double churnNoise = 1.0;            // EDM: S_noise, scale of the added noise
    int64_t window = 32;                // Picard samplers: steps solved together per round
    double tolerance = 1e-3;            // Picard samplers: τ in ParaDiGMS' rule ‖Δ‖²/D ≤ τ² σ²_step
};

struct StepOutput {
    at::Tensor x;  // state at the next grid index
    at::Tensor x0; // the model's x̂0 this step used
};

// The noise-free part of one step for a batch of grid positions (rows grouped by position,
// N rows each), and the model's x̂0 it used. diffusers' `batch_step_no_noise` idea: Picard
// iteration wraps any single-step sampler through it without writing its formula again.
struct Transition {
    at::Tensor mean; // x_{i+1} − σ_i z_i for every row
    at::Tensor x0;   // x̂0 at each row's input
};

class Sampler {
public:
    virtual ~Sampler() = default;
    virtual std::string_view name() const = 0;

    // Prepares a run: builds the grid and resets any multistep history.
    void begin(const Schedule& schedule, const SamplerOptions& options);
    // Begins on a grid the caller computed once (k-diffusion's `sigmas` argument): strictly
    // decreasing indices in [0, T−1].
    void begin(const Schedule& schedule, const SamplerOptions& options, std::vector<int64_t> grid);
    // Single-step samplers need not override step(): by default it is the transition at
    // position i plus noiseScale(i)·z, with z drawn only when the scale is non-zero.
    virtual StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise);

    // True when step i depends only on x_i (no multistep history, no in-step noise): such a
    // sampler implements transition() and Picard can solve its chain in parallel.
    virtual bool hasTransition() const { return false; }
    // x [P·N, C, H, W] holds N rows for each of the P positions (in that order).
    virtual Transition transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions);
    // Standard deviation of the fresh noise step i adds (0 for deterministic steps).
    virtual double noiseScale(int64_t) const { return 0.0; }
    // Variance per element that step i's stochastic twin would add: ParaDiGMS normalises the
    // tolerance by it, for deterministic samplers too. Default: the DDPM posterior β̃ of the step.
    virtual double stepVariance(int64_t i) const;
    // Network calls in one step that wait on each other (Heun: predictor, then corrector).
    virtual int64_t dependentCallsPerStep() const { return 1; }

    int64_t stepCount() const { return int64_t(grid_.size()); }
    // Rounds of network calls that had to run one after another in the last run; −1 when
    // that is simply one per network pass (every sequential sampler).
    virtual int64_t sequentialRounds() const { return -1; }
    // The kind of model this sampler drives (runSampler refuses others with a clear message).
    virtual ModelRole role() const { return ModelRole::Denoiser; }
    const std::vector<int64_t>& grid() const { return grid_; }
    // Index the state has after step i: grid[i + 1], or −1 after the last step.
    int64_t nextIndex(int64_t i) const { return i + 1 < stepCount() ? grid_[size_t(i + 1)] : -1; }
    const SamplerOptions& options() const { return options_; }

protected:
    virtual void onBegin() {}
    // The indices to visit; by default the spacing's grid of `steps` points.
    virtual std::vector<int64_t> makeGrid(const Schedule& schedule, const SamplerOptions& options) const;
    // One network pass at grid index k (or per-row indices), with x̂0 clipped or thresholded
    // if asked and ε̂ made consistent with it.
    Estimate evaluate(Denoiser& denoiser, const at::Tensor& x, int64_t k) const;
    Estimate evaluate(Denoiser& denoiser, const at::Tensor& x, const at::Tensor& k) const;
    // Per-row indices for a position batch (each position's index repeated N times).
    at::Tensor rowIndices(const std::vector<int64_t>& positions, int64_t rowsPerPosition, bool next = false) const;
    // A [P·N, 1, 1, 1] column repeating value(position) for the N rows of each position.
    at::Tensor perRow(const std::vector<int64_t>& positions, int64_t rowsPerPosition, const at::Tensor& like,
                      const std::function<double(int64_t)>& value) const;
    double alphaBar(int64_t k) const { return schedule_->alphaBarAt(k); }

    const Schedule* schedule_ = nullptr;
    SamplerOptions options_;
    std::vector<int64_t> grid_;
};

// One round of a whole-chain solver, reported to its observer.
struct SolveRound {
    int64_t round = 0;                           // 1-based round number
    int64_t sequentialCalls = 0;                 // dependent network calls so far
    int64_t windowBegin = 0, windowEnd = 0;      // positions [begin, end) evaluated this round
    int64_t accepted = 0;                        // leading positions accepted so far (of stepCount)
    std::vector<double> residuals;               // per window position: max over samples of ‖Δ‖²/(D σ²_step)
    const std::vector<at::Tensor>* states = nullptr; // the current iterate of every state x_0..x_n
};
// Return false to stop the solve.
using RoundObserver = std::function<bool(const SolveRound&)>;

// Samplers that compute the whole trajectory at once (Picard, DNM, pixel-aware). runSampler
// calls solve() before the step loop, passing the stop token and a round observer; step(i)
// then hands out the solved states so the step observer still sees one frame per step.
class WholeChainSampler : public Sampler {
public:
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;
    // Returns false when stopped before the chain was solved.
    virtual bool solve(Denoiser& denoiser, const at::Tensor& xT, NoiseSource& noise, const RoundObserver& observer,
                       const StopToken* stop) = 0;
    // States x_0 = x_T, …, x_n and x̂0 per step after solve().
    const std::vector<at::Tensor>& states() const { return states_; }

protected:
    std::vector<at::Tensor> states_;
    std::vector<at::Tensor> x0_;
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
                     NoiseSource& noise, const StepObserver& observer = {}, const StopToken* stop = nullptr,
                     const RoundObserver& rounds = {});
// The same on a grid the caller computed (an empty grid: the options' grid).
SampleRun runSamplerOnGrid(Sampler& sampler, Denoiser& denoiser, const at::Tensor& xT, const SamplerOptions& options,
                           std::vector<int64_t> grid, NoiseSource& noise, const StepObserver& observer = {},
                           const StopToken* stop = nullptr, const RoundObserver& rounds = {});

} // namespace ds
