#include "colour_legend.h"

#include "axis_ticks.h"

#include <QLinearGradient>
#include <QPainter>

#include <cmath>

namespace ds {
namespace {

constexpr double kInside = 1e-9;

// An end of a log scale with no decade inside: 10^v with two significant digits ("0.0063").
QString logEndLabel(double v) { return QString::number(std::pow(10.0, v), 'g', 2); }

QVector<ColourBarTick> logTicks(const ColourScale& s, int maxTicks)
{
    QVector<ColourBarTick> out;
    const double span = s.hi - s.lo;
    const int first = int(std::ceil(s.lo - kInside)), last = int(std::floor(s.hi + kInside));
    if (last < first) // less than a decade, between two powers: label the ends
        return {{0, logEndLabel(s.lo)}, {1, logEndLabel(s.hi)}};
    const int stride = std::max(1, (last - first + maxTicks - 1) / maxTicks);
    for (int e = first; e <= last; e += stride)
        out.append({(e - s.lo) / span, decadeLabel(e)});
    return out;
}

QVector<ColourBarTick> linearTicks(const ColourScale& s, int maxTicks)
{
    QVector<ColourBarTick> out;
    const double span = s.hi - s.lo;
    const auto t = niceLinearTicks(s.lo, s.hi, maxTicks);
    for (double v : t.values)
        if (v >= s.lo - kInside * std::max(1.0, std::abs(span)) && v <= s.hi + kInside * std::max(1.0, std::abs(span)))
            out.append({(v - s.lo) / span, tickLabel(v, t.decimals)});
    if (out.size() < 2) // a range narrower than a step: its ends, with enough digits to differ
        return {{0, QString::number(s.lo, 'g', 3)}, {1, QString::number(s.hi, 'g', 3)}};
    return out;
}

} // namespace

QVector<ColourBarTick> colourBarTicks(const ColourScale& scale, int maxTicks)
{
    if (!(scale.hi > scale.lo) || !std::isfinite(scale.lo) || !std::isfinite(scale.hi))
        return {{0.5, QString::number(scale.lo, 'g', 3)}};
    return scale.log ? logTicks(scale, std::max(2, maxTicks)) : linearTicks(scale, std::max(2, maxTicks));
}

void paintColourBar(QPainter& p, const QRect& area, const ColourScale& scale, const QColor& text)
{
    const auto fm = p.fontMetrics();
    const int labelH = fm.height() + 4;
    const QRect bar(area.left() + 4, area.top() + labelH + fm.height() / 2, 16, area.height() - labelH - fm.height() - 2);
    if (bar.height() < 8)
        return;
    QLinearGradient ramp(bar.bottomLeft(), bar.topLeft());
    for (int i = 0; i <= 8; ++i)
        ramp.setColorAt(i / 8.0, rampColour(scale.ramp, i / 8.0));
    p.fillRect(bar, ramp);
    p.setPen(text);
    p.drawRect(bar);
    p.drawText(QRect(area.left(), area.top(), area.width(), labelH), Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(scale.label, Qt::ElideRight, area.width()));
    const int x = bar.right() + 4;
    for (const auto& t : colourBarTicks(scale)) {
        const int y = int(std::lround(bar.bottom() - t.position * bar.height()));
        p.drawLine(bar.right() - 3, y, bar.right() + 2, y);
        p.drawText(QRect(x + 2, y - fm.height() / 2, area.right() - x, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                   t.label);
    }
}

ColourLegend::ColourLegend(QWidget* parent) : QWidget(parent) { setMinimumWidth(100); }

void ColourLegend::setScale(const ColourScale& scale)
{
    scale_ = scale;
    update();
}

void ColourLegend::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paintColourBar(p, rect().adjusted(2, 2, -2, -2), scale_, palette().color(QPalette::WindowText));
}

} // namespace ds
