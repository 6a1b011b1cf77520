#pragma once
// Round trip: invert real images x0 to x_T with a deterministic sampler run backwards, then
// sample back with the same sampler on the same grid. With an exact denoiser the two runs
// solve the one probability-flow ODE in opposite directions, so the reconstruction error is
// the solvers' error and shrinks with the step count at the solver's order (DDIM η = 0:
// first order; pf-ode-heun: third, as the local errors C h³ of Heun cancel between the two
// directions to leading order). With a trained model it also shows which images the
// model's flow can reach.
//
// Inversion on the grid k_0 > … > k_{n−1}: the sampler's last step returns x̂0(x_{k_{n−1}}),
// which has no step size; it is inverted exactly by the fixed point
//   x ← √ᾱ x0 + √(1 − ᾱ) ε̂(x, k_{n−1})   (x̂0(x) = x0, contracting at small σ).
// The other steps run the sampler's update backwards, k_{i+1} → k_i, in y = x/√ᾱ and
// σ = √((1−ᾱ)/ᾱ): Euler y' = y + Δσ ε̂(x, k_{i+1}) (the DDIM η = 0 step), or Heun's
// y' = y + Δσ (ε̂ + ε̂(y_e√ᾱ_i, k_i))/2 with the Euler predictor y_e.
#include "core/denoisers/denoiser.h"
#include "core/samplers/sampler.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace ds {

enum class InversionMethod { Euler, Heun };
// "ddim" (η must be 0) → Euler, "pf-ode-heun" → Heun; anything else is a ds::Error naming them.
InversionMethod inversionMethodFor(const std::string& sampler, const SamplerOptions& options);

struct Inversion {
    at::Tensor xT;                  // the images carried to the first grid index
    double fixedPointResidual = 0;  // max |Δx| of the last fixed-point iteration at k_{n−1}
    int64_t fixedPointIterations = 0;
};
// Carries x0 [N, C, H, W] (data range) to grid.front() along the reversed grid.
Inversion invertToNoise(Denoiser& denoiser, const at::Tensor& x0, const std::vector<int64_t>& grid,
                        InversionMethod method);

struct RoundTrip {
    std::vector<int64_t> grid;
    Inversion inversion;
    at::Tensor reconstruction; // sampled back from inversion.xT, [N, C, H, W]
    at::Tensor errorMap;       // |reconstruction − x0|, [N, C, H, W]
    double rmse = 0;           // √(mean (reconstruction − x0)²) over everything
    double maxError = 0;
    int64_t passes = 0;        // network passes of both directions
};
// Inverts and samples back with `sampler` ("ddim" or "pf-ode-heun") and its options.
RoundTrip roundTrip(Denoiser& denoiser, const at::Tensor& x0, const std::string& sampler, const SamplerOptions& options);

struct RoundTripPoint {
    int64_t steps = 0;
    double rmse = 0, maxError = 0;
};
// The round trip's error for each step count (options.steps replaced by each entry).
std::vector<RoundTripPoint> roundTripErrorCurve(Denoiser& denoiser, const at::Tensor& x0, const std::string& sampler,
                                                SamplerOptions options, const std::vector<int64_t>& steps);

} // namespace ds
