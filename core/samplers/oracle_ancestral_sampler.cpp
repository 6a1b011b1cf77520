// Notation (seed 003; DESIGN.md): a step goes from index k to k' < k (k' = −1: clean data,
// ᾱ' = 1); the strided forward step has β = 1 − ᾱ/ᾱ'. Its posterior given x0 is
//   (1) q(x_{k'} | x_k, x0) = N(c_0 x0 + c_x x_k, β̃),  c_0 = √ᾱ' β/(1−ᾱ),
//       c_x = √(ᾱ/ᾱ')(1−ᾱ')/(1−ᾱ),  β̃ = (1−ᾱ')β/(1−ᾱ)                        (Ho et al. eq. 7)
// and the exact reverse kernel averages (1) over p(x0 | x_k):
//   (2) empirical data {x0^(i)}: q(x_{k'} | x_k) = Σ_i w_i(x_k) N(c_0 x0^(i) + c_x x_k, β̃),
//       w = softmax of the oracle's log-weights: draw the component i, then the Gaussian.
//   (3) Gaussian data: x0 | x_k ~ N(m, v), so q(x_{k'} | x_k) = N(c_0 m + c_x x_k, β̃ + c_0² v).
// Noise order per step: (2) one standard normal z_u [N], used as the uniform u = Φ(z_u) that
// picks the component (NoiseSource only draws normals); then one [N, C, H, W] normal when the
// Gaussian's variance is > 0 (not on the last empirical step, where β̃ = 0: x' = x0^(i)).
#include "oracle_ancestral_sampler.h"

#include "models/error.h"
#include "core/denoisers/empirical_denoiser.h"
#include "core/denoisers/gaussian_denoiser.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cmath>

namespace ds {
namespace {

struct Kernel {
    double c0 = 0, cx = 0, var = 0; // (1)
};

Kernel kernel(double abar, double abarNext)
{
    const double beta = 1.0 - abar / abarNext;
    return {std::sqrt(abarNext) * beta / (1.0 - abar),
            std::sqrt(abar / abarNext) * (1.0 - abarNext) / (1.0 - abar), (1.0 - abarNext) * beta / (1.0 - abar)};
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

StepOutput OracleAncestralSampler::step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise)
{
    if (auto* empirical = dynamic_cast<EmpiricalDenoiser*>(&denoiser))
        return empiricalStep(*empirical, x, i, noise);
    if (auto* gaussian = dynamic_cast<GaussianDenoiser*>(&denoiser))
        return gaussianStep(*gaussian, x, i, noise);
    throw Error("the oracle-ancestral sampler needs an exact oracle (oracle:gaussian or oracle:<data set>); "
                + denoiser.info().source + " is a " + denoiser.info().kind + " model");
}

StepOutput OracleAncestralSampler::empiricalStep(EmpiricalDenoiser& oracle, const at::Tensor& x, int64_t i,
                                                 NoiseSource& noise) const
{
    const auto start = std::chrono::steady_clock::now();
    const int64_t n = x.size(0), k = grid_[size_t(i)];
    const auto c = kernel(alphaBar(k), alphaBar(nextIndex(i)));
    const auto w = oracle.weights(x, at::full({n}, k, at::kLong)); // [N, M] float64
    const auto& data = oracle.data();
    const auto mean = at::matmul(w, data.reshape({data.size(0), -1}).to(w.device(), at::kDouble));
    // (2) component i = #{j : Σ_{l≤j} w_l < u}, u = Φ(z_u) = ½ erfc(−z_u/√2).
    const auto u = 0.5 * at::erfc(-noise.normal({n}).to(w.device(), at::kDouble) / std::sqrt(2.0));
    const auto component = (w.cumsum(1) < u.unsqueeze(1)).sum(1).clamp_max(data.size(0) - 1);
    auto next = c.c0 * data.index_select(0, component.to(data.device())) + c.cx * x;
    if (c.var > 0)
        next = next + std::sqrt(c.var) * noise.normal(x.sizes());
    oracle.countPass(n, secondsSince(start));
    return {next, mean.to(at::kFloat).reshape(x.sizes()).to(x.device())};
}

StepOutput OracleAncestralSampler::gaussianStep(GaussianDenoiser& oracle, const at::Tensor& x, int64_t i,
                                                NoiseSource& noise) const
{
    const auto start = std::chrono::steady_clock::now();
    const int64_t k = grid_[size_t(i)];
    const auto c = kernel(alphaBar(k), alphaBar(nextIndex(i)));
    const auto post = oracle.posterior(x, k);
    const auto scale = at::sqrt(c.var + c.c0 * c.c0 * post.variance); // (3)
    auto next = c.c0 * post.mean + c.cx * x + scale * noise.normal(x.sizes());
    oracle.countPass(x.size(0), secondsSince(start));
    return {next, post.mean};
}

} // namespace ds
