// Notation (k-diffusion sample_dpmpp_2m_sde, written in y = x/√ᾱ and σ = √((1−ᾱ)/ᾱ)):
//   λ = −log σ (the half log-SNR), h = λ' − λ, D = x̂0 at (x, k), r = h_{i−1}/h, η = eta,
//   s_noise = churnNoise; σ' and ᾱ' at the next index.
//   (1) y' = (σ'/σ)·e^{−ηh}·y + (1 − e^{−(1+η)h})·D                 (first-order SDE step)
//   (2) y' += ½(1 − e^{−(1+η)h})·(D − D_{i−1})/r                     (midpoint 2M correction)
//   (3) y' += σ'·√(1 − e^{−2ηh})·s_noise·z                           (one draw when η·s_noise > 0)
//   (4) x' = √ᾱ'·y'.  The last step (σ' = 0) returns D.
#include "dpmpp_2m_sde_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {
namespace {

double sigmaOf(double abar) { return std::sqrt((1.0 - abar) / abar); }

} // namespace

void DpmPp2MSdeSampler::onBegin()
{
    previousX0_ = at::Tensor();
    previousH_ = 0;
}

StepOutput DpmPp2MSdeSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    const int64_t k = grid_[size_t(i)], kNext = nextIndex(i);
    const auto e = evaluate(denoiser, x, k);
    if (kNext < 0)
        return {e.x0, e.x0};
    const double abar = alphaBar(k), abarNext = alphaBar(kNext), eta = options_.eta;
    const double sigma = sigmaOf(abar), sigmaNext = sigmaOf(abarNext);
    const double h = std::log(sigma) - std::log(sigmaNext);
    const double gain = -std::expm1(-(1.0 + eta) * h);
    auto y = (sigmaNext / sigma) * std::exp(-eta * h) * (x / std::sqrt(abar)) + gain * e.x0; // (1)
    if (previousX0_.defined())
        y = y + (0.5 * gain * h / previousH_) * (e.x0 - previousX0_); // (2), 1/r = h/h_{i−1}
    const double noiseStd = sigmaNext * std::sqrt(-std::expm1(-2.0 * eta * h)) * options_.churnNoise;
    if (noiseStd > 0)
        y = y + noiseStd * noise.normal(x.sizes()); // (3)
    previousX0_ = e.x0;
    previousH_ = h;
    return {std::sqrt(abarNext) * y, e.x0}; // (4)
}

} // namespace ds
