#include "pixel_aware_sampler.h"

#include "models/error.h"
#include "core/denoisers/network_denoiser.h"

#include "models/pixel_aware_net.h"

#include <ATen/ATen.h>

#include <chrono>

namespace ds {

namespace {

// Line 9 of Algorithm 1 from x̂_j to x̂_{j−1}, with ε only for j > 1 (β̃_1 = 0).
at::Tensor reverseStep(const at::Tensor& x, const at::Tensor& rate, const at::Tensor& Zj, int64_t j,
                       const std::function<at::Tensor(int64_t j)>& noise)
{
    auto alpha = at::exp(-rate);
    auto abar = at::exp(-rate * double(j));
    auto abarPrev = at::exp(-rate * double(j - 1));
    auto next = (x - (1.0 - alpha) / at::sqrt(1.0 - abar) * Zj) / at::sqrt(alpha);
    if (j > 1) {
        auto betaTilde = (1.0 - abarPrev) / (1.0 - abar) * (1.0 - alpha);
        next = next + at::sqrt(betaTilde) * noise(j);
    }
    return next;
}

} // namespace

std::vector<at::Tensor> pixelAwareReverse(const at::Tensor& xi, const at::Tensor& rate, const at::Tensor& Z,
                                          const std::function<at::Tensor(int64_t j)>& noise)
{
    std::vector<at::Tensor> states{xi};
    for (int64_t j = Z.size(1); j >= 1; --j)
        states.push_back(reverseStep(states.back(), rate, Z.select(1, j - 1), j, noise));
    return states;
}

std::vector<at::Tensor> pixelAwareReverseTo(const at::Tensor& xi, const at::Tensor& rate, const at::Tensor& x0,
                                            int64_t i, const std::function<at::Tensor(int64_t j)>& noise)
{
    std::vector<at::Tensor> states{xi};
    for (int64_t j = i; j >= 1; --j) {
        auto abar = at::exp(-rate * double(j));
        auto Zj = (states.back() - at::sqrt(abar) * x0) / at::sqrt(1.0 - abar);
        states.push_back(reverseStep(states.back(), rate, Zj, j, noise));
    }
    return states;
}

std::vector<int64_t> PixelAwareSampler::makeGrid(const Schedule& schedule, const SamplerOptions& options) const
{
    require(options.steps >= 1 && options.steps <= schedule.steps(),
            "pixel-aware: the start index (--steps) must be in 1.." + std::to_string(schedule.steps()));
    std::vector<int64_t> grid;
    for (int64_t k = options.steps - 1; k >= 0; --k) // every step i … 1: the recurrence is cheap
        grid.push_back(k);
    return grid;
}

void PixelAwareSampler::onBegin()
{
    states_.clear();
    x0_.clear();
    scale_ = at::Tensor();
}

bool PixelAwareSampler::solve(Denoiser& denoiser, const at::Tensor& xT, NoiseSource& noise, const RoundObserver&,
                              const StopToken* stop)
{
    if (stop && stop->stopRequested())
        return false;
    if (denoiser.info().role == ModelRole::PixelAware)
        solveWithNetworks(denoiser, xT, noise);
    else
        solveWithOracle(denoiser, xT, noise);
    return true;
}

void PixelAwareSampler::solveWithNetworks(Denoiser& denoiser, const at::Tensor& x, NoiseSource& noise)
{
    auto* native = dynamic_cast<NetworkDenoiser*>(&denoiser);
    auto* net = native ? dynamic_cast<PixelAwareNetImpl*>(native->network().get()) : nullptr;
    require(net != nullptr, denoiser.info().source + ": not a pixel-aware checkpoint (G_θ and R_φ)");
    const int64_t start = stepCount(); // i of Algorithm 1
    auto k = at::full({x.size(0)}, start - 1, at::TensorOptions().dtype(at::kLong).device(x.device()));
    scale_ = denoiser(x, k); // 1. x̂_δ = G_θ(x_i, i)
    const auto begin = std::chrono::steady_clock::now();
    auto Z = net->reverse(x, scale_, k).narrow(1, 0, start); // 2. all Z^j, j ≤ i
    denoiser.countPass(x.size(0), std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    auto rate = schedule_->pixelRateFromScale(scale_);
    states_ = pixelAwareReverse(x, rate, Z, [&](int64_t) { return noise.normal(x.sizes()); }); // 3.
}

void PixelAwareSampler::solveWithOracle(Denoiser& denoiser, const at::Tensor& x, NoiseSource& noise)
{
    const int64_t start = stepCount();
    auto x0 = denoiser.estimate(x, start - 1).x0;      // 1. x̂0 = E[x0 | x_i], one pass
    auto rate = schedule_->pixelRate(x0);             //    the rate of x̂_δ = exp(−γ x̃0)
    scale_ = at::exp(-rate * double(schedule_->steps()));
    denoiser.countPass(x.size(0), 0.0);               // 2. Z^j in closed form: the second "pass"
    states_ = pixelAwareReverseTo(x, rate, x0, start, [&](int64_t) { return noise.normal(x.sizes()); }); // 3.
}

} // namespace ds
