#pragma once
// A named PlotSeries in one call (the instrument charts' curves).
#include "widgets/common/chart_adapter.h"

namespace ds {

inline PlotSeries plotLine(const QString& name, QVector<QPointF> points, QColor colour, Qt::PenStyle style = Qt::SolidLine)
{
    PlotSeries s;
    s.name = name;
    s.points = std::move(points);
    s.colour = colour;
    s.style = style;
    return s;
}

} // namespace ds
