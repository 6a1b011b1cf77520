#pragma once
// Colour maps for per-pixel maps (SNR, variance, KL): a perceptually ordered viridis ramp;
// a gray ramp describes gray-level views (ε̂, Δ) in the same terms.
#include <ATen/core/Tensor.h>
#include <QColor>
#include <QImage>
#include <QString>

namespace ds {

// The colour of u ∈ [0, 1] (clamped) on the viridis ramp.
QColor viridis(double u);

enum class ColourRamp {
    Viridis, // per-pixel maps (SNR, variance, KL)
    Gray     // gray-level images whose values are not the data's (ε̂, differences)
};

// The colour of u ∈ [0, 1] (clamped) on `ramp`.
QColor rampColour(ColourRamp ramp, double u);

// How map values become colours, and what the legend prints.
struct ColourScale {
    double lo = 0;      // value at the bottom of the ramp (log10 of it when `log`)
    double hi = 1;      // value at the top
    bool log = false;   // values are shown as log10
    QString label;      // "SNR", "Var[x_t]", "KL (nats)"
    ColourRamp ramp = ColourRamp::Viridis;
};

// A 2D map [H, W] (float) coloured with viridis over `scale` (ARGB32, alpha = 255).
QImage colourMapImage(const at::Tensor& map, const ColourScale& scale);

// The scale spanning a map's finite values (log10 of positive values when `log`).
ColourScale scaleFor(const at::Tensor& map, bool log, const QString& label);

} // namespace ds
