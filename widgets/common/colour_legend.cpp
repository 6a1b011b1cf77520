#include "colour_legend.h"

#include <QLinearGradient>
#include <QPainter>

#include <cmath>

namespace ds {

ColourLegend::ColourLegend(QWidget* parent) : QWidget(parent) { setMinimumWidth(100); }

void ColourLegend::setScale(const ColourScale& scale)
{
    scale_ = scale;
    update();
}

QString ColourLegend::valueText(double v) const
{
    if (scale_.log)
        return QStringLiteral("1e%1").arg(v, 0, 'f', 1); // the map shows log10 values
    return QString::number(v, 'g', 3);
}

void ColourLegend::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const QRect bar(6, 22, 18, height() - 34);
    QLinearGradient ramp(bar.bottomLeft(), bar.topLeft());
    for (int i = 0; i <= 8; ++i)
        ramp.setColorAt(i / 8.0, viridis(i / 8.0));
    p.fillRect(bar, ramp);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawRect(bar);
    p.drawText(QRect(0, 0, width(), 18), Qt::AlignLeft | Qt::AlignVCenter, scale_.label);
    const double mid = (scale_.lo + scale_.hi) / 2;
    const int x = bar.right() + 6;
    p.drawText(QPoint(x, bar.top() + 10), valueText(scale_.hi));
    p.drawText(QPoint(x, bar.center().y() + 5), valueText(mid));
    p.drawText(QPoint(x, bar.bottom()), valueText(scale_.lo));
}

} // namespace ds
