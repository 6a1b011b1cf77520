#include "dnm_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {

std::vector<at::Tensor> dnmTrajectory(const at::Tensor& xT, const at::Tensor& deltas, const at::Tensor& noiseTerms)
{
    auto steps = noiseTerms.defined() ? deltas + noiseTerms : deltas;
    auto cumulative = at::cumsum(steps, 0); // Σ_{m≤k}
    std::vector<at::Tensor> states{xT};
    for (int64_t k = 0; k < deltas.size(0); ++k)
        states.push_back(xT - cumulative[k]);
    return states;
}

void DnmSampler::onBegin()
{
    states_.clear();
    rounds_ = 0;
}

std::vector<double> DnmSampler::strides() const
{
    const double T = double(schedule_->steps());
    std::vector<double> dt;
    for (int64_t m = 0; m < stepCount(); ++m) {
        const int64_t upper = m == 0 ? schedule_->steps() - 1 : grid_[size_t(m)]; // index of x_T is T − 1
        dt.push_back(double(upper - nextIndex(m)) / T);
    }
    return dt;
}

bool DnmSampler::solve(Denoiser& denoiser, const at::Tensor& xT, NoiseSource& noise, const RoundObserver&,
                       const StopToken* stop)
{
    if (stop && stop->stopRequested())
        return false;
    const int64_t L = stepCount(), n = xT.size(0);
    // 1. One batched pass: u(x_T, t_k) for every grid point (L·N rows).
    auto repeated = xT.repeat({L, 1, 1, 1});
    auto k = at::tensor(grid_, at::kLong).repeat_interleave(n);
    auto u = denoiser(repeated, k).reshape({L, n, xT.size(1), xT.size(2), xT.size(3)});
    rounds_ = 1;
    // 2. Strides Δt_k, δ̂_k = Δt_k · u_k and σ_k = s √Δt_k.
    const auto dt = strides();
    auto stride = at::tensor(dt, at::kDouble).to(at::kFloat).to(xT.device()).reshape({L, 1, 1, 1, 1});
    auto deltas = stride * u;
    at::Tensor noiseTerms;
    if (options_.sigmaScale > 0 && L > 1) {
        std::vector<at::Tensor> terms;
        for (int64_t m = 0; m < L; ++m) // draws in step order; none on the last step
            terms.push_back(m + 1 < L ? options_.sigmaScale * std::sqrt(dt[size_t(m)]) * noise.normal(xT.sizes())
                                      : at::zeros_like(xT));
        noiseTerms = at::stack(terms);
    }
    // 3. The whole trajectory by prefix sum.
    states_ = dnmTrajectory(xT, deltas, noiseTerms);
    return true;
}

} // namespace ds
