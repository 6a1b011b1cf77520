#pragma once
// The model health report: the checks that catch a model whose samples look fine only after
// min–max scaling (a third-party Fashion-MNIST DDPM had samples with mean −6.9 and std 10.1
// against data in [−1, 1]).
//  1. Prediction error per t bucket on held-out data, in the model's own parameterisation
//     (ε, x0 or v), beside the error of the best constant (the target's mean per bucket) and
//     of an exact oracle where one is given: worse than the constant is a flag.
//  2. x̂0 at t = T from x_T ~ N(0, I): its mean should sit near the data's (its extremes are
//     reported, not judged: an ε model divides its error by √ᾱ_T there).
//  3. Samples against the data range: mean, std and the share of values outside it.
//  4. The prior mismatch at t = T: ᾱ_T and KL(q(x_T | x0) ‖ N(0, I)) per pixel.
// Everything is raw values; nothing is rescaled.
#include "core/denoisers/denoiser.h"
#include "core/noise_source.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace ds {

struct HealthOptions {
    int64_t buckets = 10;          // equal t buckets over 1..T
    std::string sampler = "ddim";  // for the sample check
    int64_t steps = 50;
    int64_t samples = 16;
    double outsideTolerance = 0.01; // a value is outside when beyond the range by > this × its width
    double maxOutsideFraction = 0.10; // the demo DDPM has ~4% at 20 steps; the −6.9 ± 10.1 model ~90%
};

struct HealthBucket {
    int64_t tBegin = 0, tEnd = 0; // t in [tBegin, tEnd]
    double mse = 0;               // model's prediction error
    double constantMse = 0;       // the best constant predictor's (the target's variance)
    double oracleMse = 0;         // the reference oracle's (NaN without one)
};

struct ValueStats {
    double mean = 0, std = 0, min = 0, max = 0;
};
ValueStats valueStats(const at::Tensor& x);

struct HealthReport {
    std::string model;
    std::string target;                // "epsilon", "x0" or "v"
    std::vector<HealthBucket> buckets;
    ValueStats data;                   // the held-out data
    ValueStats x0AtT;                  // x̂0 at t = T from N(0, I)
    ValueStats samples;
    double samplesOutside = 0;         // share of sample values outside the data range
    DataRange range;
    double terminalAlphaBar = 0;
    double priorKl = 0;                // nats per pixel, mean over the held-out items
    std::vector<std::string> flags;    // one line per problem; empty: healthy
    bool healthy() const { return flags.empty(); }
};

// heldOut: [M, C, H, W] data in the model's range (M >= 1). reference: an exact oracle for the
// same data (may be null). Noise (t, ε, x_T, sampler draws) comes from `noise`.
HealthReport healthReport(Denoiser& model, const at::Tensor& heldOut, Denoiser* reference, const HealthOptions& options,
                          NoiseSource& noise);

} // namespace ds
