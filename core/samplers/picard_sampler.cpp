#include "picard_sampler.h"

#include "ddim_sampler.h"
#include "ddpm_sampler.h"
#include "heun_ode_sampler.h"

#include "../error.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {
namespace {

// A column [W·N, 1, 1, 1] repeating one value per window position for its N samples.
at::Tensor perPosition(const std::vector<double>& values, int64_t n, const at::Tensor& like)
{
    auto t = at::tensor(values, at::kDouble).to(at::kFloat).repeat_interleave(n);
    return t.reshape({-1, 1, 1, 1}).to(like.device());
}

} // namespace

std::string_view PicardSampler::name() const
{
    switch (base_) {
    case Base::Ddpm: return "picard-ddpm";
    case Base::Ddim: return "picard-ddim";
    case Base::HeunOde: return "picard-pf-ode";
    }
    return "picard";
}

void PicardSampler::onBegin()
{
    require(options_.window >= 1, "Picard window must be >= 1");
    require(options_.tolerance > 0, "Picard tolerance must be > 0");
    states_.clear();
    x0_.clear();
    noise_.clear();
    rounds_ = 0;
}

StepOutput PicardSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    if (i == 0)
        solve(denoiser, x, noise);
    return {states_[size_t(i + 1)], x0_[size_t(i)]};
}

// The same draws, in the same order, as the sequential sampler makes while it runs.
void PicardSampler::drawNoise(const at::Tensor& xT, NoiseSource& noise)
{
    for (int64_t j = 0; j < stepCount(); ++j) {
        const double abar = alphaBar(grid_[size_t(j)]), abarNext = alphaBar(nextIndex(j));
        double sigma = 0;
        if (base_ == Base::Ddpm)
            sigma = ddpmCoefficients(abar, abarNext, options_).sigma;
        else if (base_ == Base::Ddim)
            sigma = ddimCoefficients(abar, abarNext, options_.eta).sigma;
        noise_.push_back(sigma > 0 ? noise.normal(xT.sizes()) : at::Tensor());
    }
}

Estimate PicardSampler::batchedEstimate(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& ks)
{
    const int64_t n = x.size(0) / int64_t(ks.size());
    auto k = at::tensor(ks, at::kLong).repeat_interleave(n);
    auto e = denoiser.estimate(x, k);
    if (!options_.clipDenoised)
        return e;
    std::vector<double> abar;
    for (auto kk : ks)
        abar.push_back(alphaBar(kk));
    const auto range = denoiser.info().range;
    auto a = perPosition(abar, n, x);
    auto x0 = e.x0.clamp(range.lo, range.hi);
    return {(x - at::sqrt(a) * x0) / at::sqrt(1.0 - a), x0};
}

at::Tensor PicardSampler::drifts(Denoiser& denoiser, int64_t s, int64_t e)
{
    const int64_t n = states_[0].size(0);
    std::vector<at::Tensor> inputs;
    std::vector<int64_t> ks, kNext;
    std::vector<double> a, b, c; // per-position coefficients
    for (int64_t j = s; j < e; ++j) {
        inputs.push_back(states_[size_t(j)]);
        ks.push_back(grid_[size_t(j)]);
        kNext.push_back(nextIndex(j));
    }
    auto x = at::cat(inputs);
    auto est = batchedEstimate(denoiser, x, ks);
    at::Tensor next;
    for (int64_t j = s; j < e; ++j) {
        const double abar = alphaBar(grid_[size_t(j)]), abarNext = alphaBar(nextIndex(j));
        if (base_ == Base::Ddpm) {
            auto co = ddpmCoefficients(abar, abarNext, options_);
            a.push_back(co.x0), b.push_back(co.x), c.push_back(co.sigma);
        } else if (base_ == Base::Ddim) {
            auto co = ddimCoefficients(abar, abarNext, options_.eta);
            a.push_back(co.x0), b.push_back(co.eps), c.push_back(co.sigma);
        } else { // Heun: y = x/√ᾱ, Δσ = σ' − σ
            a.push_back(std::sqrt(abar)), b.push_back(std::sqrt(abarNext)), c.push_back(flowSigma(abarNext) - flowSigma(abar));
        }
    }
    auto A = perPosition(a, n, x), B = perPosition(b, n, x), C = perPosition(c, n, x);
    if (base_ == Base::Ddpm) {
        next = A * est.x0 + B * x;
    } else if (base_ == Base::Ddim) {
        next = A * est.x0 + B * est.eps;
    } else {
        // Euler predictor in y, then the trapezoid corrector with ε̂ at (y_e, σ'); the final
        // step (k' = −1) is plain Euler and lands on x̂0.
        auto y = x / A;
        auto yEuler = y + C * est.eps;
        std::vector<int64_t> corrected;
        for (auto kk : kNext)
            corrected.push_back(std::max<int64_t>(kk, 0));
        auto second = batchedEstimate(denoiser, yEuler * B, corrected);
        auto isFinal = perPosition(std::vector<double>(kNext.begin(), kNext.end()), n, x) < 0;
        next = at::where(isFinal, est.x0, (y + 0.5 * C * (est.eps + second.eps)) * B);
    }
    for (int64_t j = s; j < e; ++j) {
        auto rows = next.narrow(0, (j - s) * n, n);
        if (noise_[size_t(j)].defined())
            rows = rows + c[size_t(j - s)] * noise_[size_t(j)];
        next.narrow(0, (j - s) * n, n).copy_(rows);
        x0_[size_t(j)] = est.x0.narrow(0, (j - s) * n, n);
    }
    return next - x;
}

void PicardSampler::solve(Denoiser& denoiser, const at::Tensor& xT, NoiseSource& noise)
{
    const int64_t steps = stepCount();
    drawNoise(xT, noise);
    states_.assign(size_t(steps + 1), xT); // initial guess: x_T everywhere
    x0_.assign(size_t(steps), at::Tensor());
    const double perElement = 1.0 / double(xT.numel());
    int64_t s = 0;
    while (s < steps) {
        const int64_t e = std::min(s + options_.window, steps);
        auto h = drifts(denoiser, s, e);
        ++rounds_;
        const int64_t n = xT.size(0);
        auto cumulative = states_[size_t(s)].clone();
        int64_t converged = 0;
        bool stillConverging = true;
        for (int64_t j = s; j < e; ++j) {
            cumulative = cumulative + h.narrow(0, (j - s) * n, n);
            const double change = std::sqrt((cumulative - states_[size_t(j + 1)]).square().sum().item<double>() * perElement);
            states_[size_t(j + 1)] = cumulative.clone();
            // Slide past the leading positions that no longer move (the first always is exact).
            if (stillConverging && (j == s || change < options_.tolerance))
                ++converged;
            else
                stillConverging = false;
        }
        s += converged;
    }
}

} // namespace ds
