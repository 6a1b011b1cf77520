#pragma once
// The log-SNR curve λ(t) = log(ᾱ/(1 − ᾱ)) of the schedule editor with draggable control points.
// Draws the preset's λ (dashed), the edited curve through the points (core's interpolant,
// recomputed on each move: T values, microseconds) and the points. A drag moves one point,
// clamped by core's movePoint so the curve stays strictly decreasing; the y range is fixed
// by the preset so the axes do not jump while dragging.
#include "core/control_point_schedule.h"

#include <QWidget>

#include <vector>

namespace ds {

class LogSnrCurveEditor : public QWidget {
    Q_OBJECT
public:
    explicit LogSnrCurveEditor(QWidget* parent = nullptr);

    // New points and the preset's λ at t = 1..T (sets the y range).
    void setPoints(const ControlPointSchedule& points, std::vector<double> reference);
    const ControlPointSchedule& points() const { return points_; }
    // What a mouse drag of point i to (t, λ) does; emits pointsEdited. Tests call it directly.
    void dragPoint(size_t i, LogSnrPoint to);
    // Screen position of a point (for tests that drive the mouse) and its inverse.
    QPointF toScreen(double t, double logSnr) const;
    LogSnrPoint fromScreen(QPointF position) const;
    int pointNear(QPointF position) const; // −1: none within 8 px

    QSize sizeHint() const override { return {520, 240}; }
    QSize minimumSizeHint() const override { return {260, 160}; }

Q_SIGNALS:
    void pointsEdited(const ds::ControlPointSchedule& points); // each drag step
    void dragFinished();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QRectF plotRect() const;
    void drawAxes(class QPainter& p, const QRectF& r) const;
    void drawCurve(class QPainter& p, const std::vector<double>& lambda, const QPen& pen) const;

    ControlPointSchedule points_;
    std::vector<double> reference_; // preset λ at t = 1..T
    std::vector<double> curve_;     // edited λ at t = 1..T
    double lo_ = -10, hi_ = 10;     // y range
    int dragging_ = -1;
};

} // namespace ds
