#include "heun_ode_sampler.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {
double flowSigma(double abar) { return std::sqrt((1.0 - abar) / abar); }

Transition HeunOdeSampler::transition(Denoiser& denoiser, const at::Tensor& x, const std::vector<int64_t>& positions)
{
    const int64_t n = x.size(0) / int64_t(positions.size());
    const auto e = evaluate(denoiser, x, rowIndices(positions, n));
    const auto sqrtAbar = perRow(positions, n, x, [this](int64_t i) { return std::sqrt(alphaBar(grid_[size_t(i)])); });
    const auto sqrtAbarNext = perRow(positions, n, x, [this](int64_t i) { return std::sqrt(alphaBar(nextIndex(i))); });
    const auto ds = perRow(positions, n, x, [this](int64_t i) {
        return flowSigma(alphaBar(nextIndex(i))) - flowSigma(alphaBar(grid_[size_t(i)]));
    });
    // 1. Euler predictor in y: y_e = y + Δσ ε̂ (to σ = 0 this is x̂0, the final answer).
    const auto y = x / sqrtAbar;
    const auto yEuler = y + ds * e.eps;
    std::vector<int64_t> inner; // positions whose next σ is > 0 get the corrector
    std::vector<int64_t> rows;
    for (size_t p = 0; p < positions.size(); ++p)
        if (nextIndex(positions[p]) >= 0) {
            inner.push_back(positions[p]);
            rows.push_back(int64_t(p));
        }
    auto next = at::where(perRow(positions, n, x, [this](int64_t i) { return double(nextIndex(i) < 0); }) > 0.5,
                          e.x0, yEuler * sqrtAbarNext);
    if (inner.empty())
        return {next, e.x0};
    // 2. Trapezoid corrector with ε̂ at (y_e, σ'): y' = y + Δσ (ε̂ + ε̂')/2.
    auto pick = [&](const at::Tensor& t) {
        std::vector<at::Tensor> parts;
        for (auto p : rows)
            parts.push_back(t.narrow(0, p * n, n));
        return at::cat(parts);
    };
    const auto sqrtNextIn = pick(sqrtAbarNext);
    const auto corrector = evaluate(denoiser, pick(yEuler) * sqrtNextIn, rowIndices(inner, n, true));
    const auto yNext = pick(y) + 0.5 * pick(ds) * (pick(e.eps) + corrector.eps);
    for (size_t r = 0; r < rows.size(); ++r)
        next.narrow(0, rows[r] * n, n).copy_((yNext * sqrtNextIn).narrow(0, int64_t(r) * n, n));
    return {next, e.x0};
}

} // namespace ds
