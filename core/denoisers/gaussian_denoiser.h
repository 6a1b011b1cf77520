#pragma once
// The exact denoiser for Gaussian data x0 ~ N(μ, diag s²) under a scalar schedule:
// x_t | x0 ~ N(√ᾱ x0, (1−ᾱ) I) gives the posterior mean in closed form,
//   E[x0 | x_t] = μ + √ᾱ s² / (ᾱ s² + 1 − ᾱ) · (x_t − √ᾱ μ).
// With this oracle every sampler's output distribution is known (N(μ, s²)), which is what the
// sampler tests check against.
#include "denoiser.h"

namespace ds {

class GaussianDenoiser : public Denoiser {
public:
    // mean and std are [C, H, W]; std > 0.
    GaussianDenoiser(const at::Tensor& mean, const at::Tensor& std, const ScheduleSpec& schedule,
                     DataRange range = {-1, 1}, std::string source = "oracle:gaussian");

    const at::Tensor& mean() const { return mean_; }
    const at::Tensor& std() const { return std_; }
    // The exact posterior of x0 given x at index k (float32, x's shape): mean as forward()
    // gives it, variance Var[x0 | x] = s²(1−ᾱ)/(ᾱ s² + 1 − ᾱ). What the oracle-ancestral
    // sampler needs; not counted as a network pass.
    struct Posterior {
        at::Tensor mean, variance;
    };
    Posterior posterior(const at::Tensor& x, int64_t k) const;
    void to(c10::Device device) override;

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override;

private:
    at::Tensor mean_; // [1, C, H, W]
    at::Tensor std_;  // [1, C, H, W]
};

} // namespace ds
