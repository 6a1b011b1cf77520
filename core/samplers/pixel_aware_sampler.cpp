#include "pixel_aware_sampler.h"

#include "../error.h"
#include "../network_denoiser.h"

#include "models/pixel_aware_net.h"

#include <ATen/ATen.h>

#include <chrono>

namespace ds {

std::vector<at::Tensor> pixelAwareReverse(const at::Tensor& xi, const at::Tensor& rate, const at::Tensor& Z,
                                          const std::function<at::Tensor(int64_t j)>& noise)
{
    const int64_t i = Z.size(1);
    auto alpha = at::exp(-rate);
    std::vector<at::Tensor> states{xi};
    auto x = xi;
    for (int64_t j = i; j >= 1; --j) {
        auto abar = at::exp(-rate * double(j));
        auto abarPrev = at::exp(-rate * double(j - 1));
        auto next = (x - (1.0 - alpha) / at::sqrt(1.0 - abar) * Z.select(1, j - 1)) / at::sqrt(alpha);
        if (j > 1) { // β̃_1 = 0: no noise on the last step
            auto betaTilde = (1.0 - abarPrev) / (1.0 - abar) * (1.0 - alpha);
            next = next + at::sqrt(betaTilde) * noise(j);
        }
        x = next;
        states.push_back(x);
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
    scale_ = at::Tensor();
}

StepOutput PixelAwareSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    if (i == 0) {
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
    return {states_[size_t(i + 1)], states_.back()};
}

} // namespace ds
