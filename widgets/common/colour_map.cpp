#include "colour_map.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace ds {
namespace {

// Viridis at 9 evenly spaced stops (matplotlib's table, sampled); linear in between.
constexpr std::array<std::array<int, 3>, 9> kStops{{{68, 1, 84},
                                                    {71, 44, 122},
                                                    {59, 81, 139},
                                                    {44, 113, 142},
                                                    {33, 144, 141},
                                                    {39, 173, 129},
                                                    {92, 200, 99},
                                                    {170, 220, 50},
                                                    {253, 231, 37}}};

at::Tensor displayed(const at::Tensor& map, bool log)
{
    auto m = map.detach().to(at::kCPU, at::kDouble);
    return log ? at::log10(m.clamp_min(1e-30)) : m;
}

} // namespace

QColor viridis(double u)
{
    u = std::clamp(std::isfinite(u) ? u : 0.0, 0.0, 1.0) * double(kStops.size() - 1);
    const auto i = std::min<size_t>(size_t(u), kStops.size() - 2);
    const double f = u - double(i);
    auto mix = [&](int c) { return int(std::lround(kStops[i][size_t(c)] * (1 - f) + kStops[i + 1][size_t(c)] * f)); };
    return QColor(mix(0), mix(1), mix(2));
}

QColor rampColour(ColourRamp ramp, double u)
{
    if (ramp == ColourRamp::Viridis)
        return viridis(u);
    const int v = int(std::lround(std::clamp(std::isfinite(u) ? u : 0.0, 0.0, 1.0) * 255));
    return QColor(v, v, v);
}

QImage colourMapImage(const at::Tensor& map, const ColourScale& scale)
{
    auto v = displayed(map, scale.log).contiguous();
    const int h = int(v.size(0)), w = int(v.size(1));
    QImage image(w, h, QImage::Format_ARGB32);
    const double span = scale.hi > scale.lo ? scale.hi - scale.lo : 1.0;
    const auto* px = v.data_ptr<double>();
    for (int y = 0; y < h; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < w; ++x)
            line[x] = viridis((px[y * w + x] - scale.lo) / span).rgba();
    }
    return image;
}

ColourScale scaleFor(const at::Tensor& map, bool log, const QString& label)
{
    auto v = displayed(map, log);
    auto finite = v.masked_select(at::isfinite(v));
    ColourScale s;
    s.log = log;
    s.label = label;
    if (finite.numel() > 0) {
        s.lo = finite.min().item<double>();
        s.hi = finite.max().item<double>();
    }
    if (s.hi <= s.lo)
        s.hi = s.lo + 1e-9;
    return s;
}

} // namespace ds
