#include "frame_kind.h"

#include <QCoreApplication>

namespace ds {

QString frameKindLabel(FrameKind kind)
{
    switch (kind) {
    case FrameKind::State: return QCoreApplication::translate("ds", "x_t");
    case FrameKind::PredictedX0: return QCoreApplication::translate("ds", "x̂0 (predicted data)");
    case FrameKind::PredictedNoise: return QCoreApplication::translate("ds", "ε̂ (predicted noise)");
    case FrameKind::Difference: return QCoreApplication::translate("ds", "Δ previous frame");
    }
    return {};
}

QStringList frameKindLabels()
{
    return {frameKindLabel(FrameKind::State), frameKindLabel(FrameKind::PredictedX0),
            frameKindLabel(FrameKind::PredictedNoise), frameKindLabel(FrameKind::Difference)};
}

} // namespace ds
