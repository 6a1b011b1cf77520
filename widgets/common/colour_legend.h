#pragma once
// A vertical colour bar for a per-pixel map or a gray-level view: the ramp, the scale's label
// and ticks at readable values (whole decades "1e-3", "0.01" on log scales, 1-2-5 steps on
// linear ones; the ends are labelled when no tick falls inside). paintColourBar draws the same
// bar anywhere (the image canvas overlays it on ε̂ and Δ views).
#include "colour_map.h"

#include <QString>
#include <QVector>
#include <QWidget>

namespace ds {

struct ColourBarTick {
    double position; // 0 = bottom of the ramp, 1 = top
    QString label;
};

// Where the bar's labels go for `scale` (log scales hold log10 values in lo/hi).
QVector<ColourBarTick> colourBarTicks(const ColourScale& scale, int maxTicks = 5);

// The bar, its ticks and (above it) the label, inside `area`.
void paintColourBar(QPainter& painter, const QRect& area, const ColourScale& scale, const QColor& text);

class ColourLegend : public QWidget {
    Q_OBJECT
public:
    explicit ColourLegend(QWidget* parent = nullptr);
    void setScale(const ColourScale& scale);
    const ColourScale& scale() const { return scale_; }
    QSize sizeHint() const override { return {110, 240}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    ColourScale scale_;
};

} // namespace ds
