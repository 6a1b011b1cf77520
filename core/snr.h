#pragma once
// Signal-to-noise views of a schedule on one image (seed 002, section 3 and eq. 11).
#include "schedule.h"

#include <ATen/core/Tensor.h>

namespace ds {

// Per-pixel SNR of x_t at index k: SNR_j = x̃0_j² ᾱ_j / (1 − ᾱ_j), with x̃0 the data rescaled
// to [ε, 1] (seed 002 eq. 11). For the pixel-aware schedule this is x̃0² / (e^{γ t x̃0} − 1),
// t = (k + 1)/T; scalar schedules use the same x̃0 with their scalar ᾱ, so curves compare.
at::Tensor pixelSnr(const Schedule& schedule, const at::Tensor& x0, int64_t k);

// ᾱ of selected pixels over every index k = 0..T−1: [T, P] (the same column for every pixel
// of a scalar schedule). `pixels` as for snrCurves.
at::Tensor alphaBarCurves(const Schedule& schedule, const at::Tensor& x0, const at::Tensor& pixels = {});

// SNR of selected pixels over every index k = 0..T−1: [T, P] for x0 flattened to P pixels.
// `pixels` (int64, flat indices into x0) selects; undefined selects all.
at::Tensor snrCurves(const Schedule& schedule, const at::Tensor& x0, const at::Tensor& pixels = {});

// Mean E[x_t] = √ᾱ x0 and variance 1 − ᾱ at index k, per pixel (seed 002 Fig. 2).
struct Moments {
    at::Tensor mean;
    at::Tensor variance;
};
Moments forwardMoments(const Schedule& schedule, const at::Tensor& x0, int64_t k);

// Per-pixel KL(q(x_t | x0) ‖ N(0, 1)) = ½ (v + m² − 1 − ln v), m = √ᾱ_t x0, v = 1 − ᾱ_t at
// index k: how far x_t's law is from the N(0, I) prior a sampler starts from.
at::Tensor priorKlAt(const Schedule& schedule, const at::Tensor& x0, int64_t k);
// The same at t = T: the terminal prior mismatch.
at::Tensor terminalPriorKl(const Schedule& schedule, const at::Tensor& x0);

struct PriorMismatch {
    double meanKl = 0;             // nats per pixel
    double totalKl = 0;            // nats per image, summed over pixels
    double fractionLowVariance = 0; // share of pixels whose terminal variance is < 0.5
};
PriorMismatch summarizePriorMismatch(const Schedule& schedule, const at::Tensor& x0);

} // namespace ds
