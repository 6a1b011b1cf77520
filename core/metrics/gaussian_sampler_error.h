#pragma once
// The exact output law of a sampler on Gaussian data, and its distance to the data.
//
// With data x0 ~ N(μ, diag s²) and the exact Gaussian denoiser, x̂0 is affine in x_t, so every
// sampler without x̂0 clipping (DDPM, DDIM, the ODE and SDE solvers, Picard around them) maps
// x_T and its per-step draws z_j affinely: x = A x_T + B + Σ_j c_j z_j, pixel by pixel. One run
// on a batch of impulses reads A, B and every c_j off the outputs (row 0: all zero → B; row 1:
// x_T = 1 → A + B; row 2 + j: draw j = 1 → B + c_j), so the output is exactly N(B, A² + Σ c_j²)
// with no sampling error. Its 2-Wasserstein distance to N(μ, s²),
//   W2² = (m − μ)² + (√v − s)²,
// is the error a few-step sampler makes on this data: what `bench-samplers` tabulates.
#include "core/samplers/sampler.h"

#include <string>

namespace ds {

struct GaussianOutputLaw {
    at::Tensor mean;     // [C, H, W]
    at::Tensor variance; // [C, H, W]
    int64_t networkCalls = 0; // network evaluations of one sample (NFE)
    int64_t draws = 0;        // noise draws the run made
};

// Runs `sampler` with `options` on `oracle` (which must be the exact Gaussian denoiser or a
// reparameterisation of it) and returns its exact output law. Throws ds::Error when the
// sampler is not affine in its inputs here (x̂0 clipping or thresholding asked for).
GaussianOutputLaw exactGaussianOutputLaw(const std::string& sampler, const SamplerOptions& options, Denoiser& oracle);

// Root mean over pixels of W2(N(mean, variance), N(μ, s²)) per pixel.
double gaussianW2(const GaussianOutputLaw& law, const at::Tensor& mu, const at::Tensor& s);

} // namespace ds
