#include "frame_renderer.h"

#include "trajectory_document.h"
#include "widgets/common/tensor_image.h"

#include "core/data/point_cloud_image.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ds {
namespace {

ColourScale grayScale(FrameKind kind, DataRange range)
{
    ColourScale s;
    s.lo = range.lo;
    s.hi = range.hi;
    s.ramp = ColourRamp::Gray;
    s.label = kind == FrameKind::PredictedNoise ? QObject::tr("ε̂ (gray: ±3)") : QObject::tr("Δ previous frame");
    return s;
}

// The finite [min, max] of x (one plain loop: this is the scrubbing path); a flat or empty
// frame gets a unit-wide range around its value so the mapping stays defined.
DataRange finiteRange(const at::Tensor& x)
{
    const auto c = x.detach().to(at::kCPU, at::kFloat).contiguous();
    const float* p = c.data_ptr<float>();
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (int64_t i = 0, n = c.numel(); i < n; ++i)
        if (std::isfinite(p[i])) {
            lo = std::min(lo, p[i]);
            hi = std::max(hi, p[i]);
        }
    if (!(hi >= lo))
        return {-1.0, 1.0};
    if (hi - lo < 1e-12f)
        return {double(lo) - 0.5, double(lo) + 0.5};
    return {double(lo), double(hi)};
}

QString number(double v) { return QString::number(v, 'g', 4); }

} // namespace

OutsideCount countOutside(const at::Tensor& x, DataRange range)
{
    OutsideCount out;
    const auto c = x.detach().to(at::kCPU, at::kFloat).contiguous();
    const float* p = c.data_ptr<float>();
    const auto lo = float(range.lo), hi = float(range.hi);
    int64_t outside = 0, finite = 0;
    for (int64_t i = 0, n = c.numel(); i < n; ++i) {
        if (!std::isfinite(p[i])) {
            ++out.nonFinite;
            continue;
        }
        ++finite;
        outside += (p[i] < lo || p[i] > hi) ? 1 : 0;
    }
    out.share = finite > 0 ? double(outside) / double(finite) : 0.0;
    return out;
}

RenderedFrame renderFrame(const TrajectoryDocument& doc, int frame, FrameKind kind, int columns, ValueScaling scaling)
{
    RenderedFrame out;
    if (frame < 0 || frame >= doc.frameCount())
        return out;
    const auto tensor = doc.content(frame, kind);
    const auto shape = tensor.defined() ? tensor.sizes().vec() : doc.trajectory().frame(frame).sizes().vec();
    // A scatter plot of 2D points has no tiles, so the pixel inspector stays idle on it.
    if (!isPointBatch(tensor.defined() ? tensor : doc.trajectory().frame(frame)))
        out.grid = GridLayout::forBatch(int(shape[0]), int(shape[2]), int(shape[3]), columns);
    if (!tensor.defined()) {
        out.note = kind == FrameKind::PredictedNoise && doc.t(frame) == 0
                       ? QObject::tr("ε̂ is undefined at t = 0 (ᾱ = 1)")
                       : QObject::tr("x̂0 for this frame is being computed…");
        out.image = QImage(out.grid.count ? out.grid.imageSize() : QSize(256, 256), QImage::Format_Grayscale8);
        out.image.fill(QColor(40, 40, 40));
        return out;
    }
    out.dataValues = kind == FrameKind::State || kind == FrameKind::PredictedX0;
    out.dataRange = doc.meta().range;
    out.range = doc.displayRange(kind, tensor);
    if (out.dataValues) {
        const auto count = countOutside(tensor, out.dataRange);
        out.outsideShare = count.share;
        out.nonFinite = count.nonFinite;
        out.scaling = scaling;
        if (scaling == ValueScaling::MinMax)
            out.range = finiteRange(tensor);
    }
    out.image = batchImage(tensor, out.range, out.grid.columns);
    if ((kind == FrameKind::PredictedNoise || kind == FrameKind::Difference) && out.grid.count > 0)
        out.scale = grayScale(kind, out.range);
    if (out.dataValues && scaling == ValueScaling::MinMax && out.grid.count > 0)
        out.scale = ColourScale{out.range.lo, out.range.hi, false, QObject::tr("min–max scaled"), ColourRamp::Gray};
    return out;
}

QString rangeText(const RenderedFrame& f)
{
    if (!f.dataValues || f.image.isNull())
        return {};
    const auto data = QStringLiteral("[%1, %2]").arg(number(f.dataRange.lo), number(f.dataRange.hi));
    const auto share = QString::number(100.0 * f.outsideShare, 'f', 1);
    QString text;
    if (f.scaling == ValueScaling::MinMax)
        text = QObject::tr("MIN–MAX SCALED: [%1, %2] → black…white (not the data range) · %3% of values outside %4")
                   .arg(number(f.range.lo), number(f.range.hi), share, data);
    else if (f.outsideShare > 0)
        text = QObject::tr("raw values, data range %1 · %2% of values outside %1, clipped").arg(data, share);
    else
        text = QObject::tr("raw values, data range %1 · none outside").arg(data);
    if (f.nonFinite > 0)
        text += QObject::tr(" · %1 NaN/Inf (black)").arg(f.nonFinite);
    return text;
}

} // namespace ds
