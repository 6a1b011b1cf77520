#include "picard_sampler.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace ds {
namespace {

// ParaDiGMS floors the variance so a noise-free step (the last) does not divide by zero.
constexpr double kVarianceFloor = 1e-20;

} // namespace

PicardSampler::PicardSampler(std::unique_ptr<Sampler> base, std::string name)
    : base_(std::move(base)), name_(std::move(name))
{
    require(base_ && base_->hasTransition(), "Picard iteration needs a single-step sampler with a transition");
}

void PicardSampler::onBegin()
{
    require(options_.window >= 1, "Picard window must be >= 1");
    require(options_.tolerance > 0, "Picard tolerance must be > 0");
    base_->begin(*schedule_, options_, grid_);
    states_.clear();
    x0_.clear();
    noise_.clear();
    rounds_ = 0;
    sequentialCalls_ = 0;
}

// The same draws, in the same order, as the sequential sampler makes while it runs.
void PicardSampler::drawNoise(const at::Tensor& xT, NoiseSource& noise)
{
    for (int64_t j = 0; j < stepCount(); ++j) {
        const double scale = base_->noiseScale(j);
        noise_.push_back(scale > 0 ? scale * noise.normal(xT.sizes()) : at::Tensor());
    }
}

std::vector<double> PicardSampler::round(Denoiser& denoiser, int64_t s, int64_t e)
{
    const int64_t n = states_[0].size(0), W = e - s;
    std::vector<int64_t> positions;
    std::vector<at::Tensor> inputs;
    for (int64_t j = s; j < e; ++j) {
        positions.push_back(j);
        inputs.push_back(states_[size_t(j)]);
    }
    auto x = at::cat(inputs);
    auto t = base_->transition(denoiser, x, positions);
    auto drift = t.mean - x; // h_j = Φ_j(x_j) − x_j
    std::vector<double> residuals;
    auto cumulative = states_[size_t(s)];
    for (int64_t w = 0; w < W; ++w) {
        const int64_t j = s + w;
        auto h = drift.narrow(0, w * n, n);
        if (noise_[size_t(j)].defined())
            h = h + noise_[size_t(j)];
        cumulative = cumulative + h;
        auto change = (cumulative - states_[size_t(j + 1)]).reshape({n, -1}).square().mean(1); // ‖Δ‖²/D per sample
        const double variance = std::max(base_->stepVariance(j), kVarianceFloor);
        residuals.push_back(change.max().item<double>() / variance);
        states_[size_t(j + 1)] = cumulative;
        x0_[size_t(j)] = t.x0.narrow(0, w * n, n);
    }
    return residuals;
}

bool PicardSampler::solve(Denoiser& denoiser, const at::Tensor& xT, NoiseSource& noise, const RoundObserver& observer,
                          const StopToken* stop)
{
    const int64_t steps = stepCount(), W = options_.window;
    const double tau2 = options_.tolerance * options_.tolerance;
    drawNoise(xT, noise);
    states_.assign(size_t(steps + 1), xT); // the first window starts from x_T everywhere
    x0_.assign(size_t(steps), at::Tensor());
    int64_t s = 0, e = std::min(W, steps);
    while (s < steps) {
        if (stop && stop->stopRequested())
            return false;
        auto residuals = round(denoiser, s, e);
        ++rounds_;
        sequentialCalls_ += base_->dependentCallsPerStep();
        int64_t firstMoving = 0;
        while (firstMoving < int64_t(residuals.size()) && residuals[size_t(firstMoving)] <= tau2)
            ++firstMoving;
        const int64_t next = std::min({s + 1 + firstMoving, s + W, steps});
        const int64_t nextEnd = std::min(next + W, steps);
        for (int64_t j = e + 1; j <= nextEnd; ++j) // entering positions start from the newest state
            states_[size_t(j)] = states_[size_t(e)];
        if (observer) {
            SolveRound report{rounds_, sequentialCalls_, s, e, next, std::move(residuals), &states_};
            if (!observer(report))
                return false;
        }
        s = next;
        e = nextEnd;
    }
    return true;
}

} // namespace ds
