#pragma once
// A vertical colour bar for a per-pixel map: the viridis ramp with its top, middle and bottom
// values and the map's label (log10 values are printed as powers of ten).
#include "colour_map.h"

#include <QWidget>

namespace ds {

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
    QString valueText(double v) const;
    ColourScale scale_;
};

} // namespace ds
