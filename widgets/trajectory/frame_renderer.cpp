#include "frame_renderer.h"

#include "trajectory_document.h"
#include "widgets/common/tensor_image.h"

#include "core/data/point_cloud_image.h"

#include <ATen/ATen.h>

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

} // namespace

RenderedFrame renderFrame(const TrajectoryDocument& doc, int frame, FrameKind kind, int columns)
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
    out.range = doc.displayRange(kind, tensor);
    out.image = batchImage(tensor, out.range, out.grid.columns);
    if ((kind == FrameKind::PredictedNoise || kind == FrameKind::Difference) && out.grid.count > 0)
        out.scale = grayScale(kind, out.range);
    return out;
}

} // namespace ds
