#include "radial_spectrum.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds {
namespace {

// numpy.fft.fftfreq(n) · n: 0, 1, …, ⌈n/2⌉ − 1, −⌊n/2⌋, …, −1.
at::Tensor signedFrequencies(int64_t n)
{
    auto k = at::arange(n, at::kDouble);
    return at::where(k < double((n + 1) / 2), k, k - double(n));
}

// Bin of every (u, v), row-major over [H, W]: round(√(u² + v²)).
at::Tensor radiusIndex(int64_t height, int64_t width)
{
    auto u = signedFrequencies(height).reshape({height, 1});
    auto v = signedFrequencies(width).reshape({1, width});
    return at::round(at::sqrt(u * u + v * v)).to(at::kLong).reshape({-1});
}

} // namespace

int64_t radialBins(int64_t height, int64_t width)
{
    return radiusIndex(height, width).max().item<int64_t>() + 1;
}

RadialSpectrum radialPowerSpectrum(const at::Tensor& images)
{
    require(images.defined() && images.dim() == 4, "radial spectrum: expected images [N, C, H, W], got ",
            images.defined() ? images.dim() : 0, " dims");
    require(at::isFloatingType(images.scalar_type()), "radial spectrum: images must be floating point");
    const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
    require(n >= 1 && c >= 1 && h >= 1 && w >= 1, "radial spectrum: empty image batch");
    auto x = images.detach().to(at::kCPU, at::kDouble);
    auto f = at::fft_fft2(x);
    auto power = (at::real(f).square() + at::imag(f).square()) / double(h * w); // [N, C, H, W]
    auto perFrequency = power.mean(1).reshape({n, h * w});                      // mean over channels
    const auto radius = radiusIndex(h, w);
    const int64_t bins = radius.max().item<int64_t>() + 1;
    auto counts = at::bincount(radius, {}, bins);
    auto sums = at::zeros({n, bins}, at::kDouble).index_add_(1, radius, perFrequency);
    return {sums / counts.to(at::kDouble).unsqueeze(0), counts};
}

at::Tensor meanRadialSpectrum(const at::Tensor& images) { return radialPowerSpectrum(images).power.mean(0); }

at::Tensor frameSpectra(const at::Tensor& frames)
{
    require(frames.defined() && frames.dim() == 5, "radial spectrum: expected frames [F, N, C, H, W], got ",
            frames.defined() ? frames.dim() : 0, " dims");
    std::vector<at::Tensor> rows;
    for (int64_t i = 0; i < frames.size(0); ++i)
        rows.push_back(meanRadialSpectrum(frames[i]));
    return at::stack(rows);
}

} // namespace ds
