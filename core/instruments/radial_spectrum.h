#pragma once
// Radially averaged power spectra: how much of an image's energy sits at each spatial
// frequency. Along a reverse run, x̂0 gains power from low to high radii (coarse-to-fine
// generation); against the data set's spectrum this shows what a sampler still lacks.
//
// For an image x [H, W] with 2D DFT F (at::fft_fft2, no normalisation), the power at integer
// frequency (u, v) is P(u, v) = |F(u, v)|² / (H W), so Σ_{u,v} P = Σ x² (Parseval) and white
// noise of variance s² has E[P] = s² at every frequency. Frequencies are signed (numpy's
// fftfreq · n); bin r holds the (u, v) with round(√(u² + v²)) = r, and its power is the mean of
// P over those frequencies and over channels.
#include <ATen/core/Tensor.h>

namespace ds {

struct RadialSpectrum {
    at::Tensor power;  // float64 [N, R]: mean power per radius bin, per image
    at::Tensor counts; // int64 [R]: frequencies (u, v) in each bin (per channel)
};

// images: float [N, C, H, W]. Throws ds::Error for another shape.
RadialSpectrum radialPowerSpectrum(const at::Tensor& images);

// The spectrum averaged over a batch (the mean of the per-image spectra), float64 [R].
at::Tensor meanRadialSpectrum(const at::Tensor& images);

// Per frame of a stack [F, N, C, H, W]: the batch-mean spectrum, float64 [F, R]. A frame with
// NaN in it (x̂0 where none was stored) gives a NaN row.
at::Tensor frameSpectra(const at::Tensor& frames);

// Number of radius bins for an H × W image.
int64_t radialBins(int64_t height, int64_t width);

} // namespace ds
