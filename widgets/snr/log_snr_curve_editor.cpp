#include "log_snr_curve_editor.h"

#include "models/error.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

constexpr double kPickRadius = 8.0; // px

} // namespace

LogSnrCurveEditor::LogSnrCurveEditor(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setToolTip(tr("drag the points: log-SNR λ = log(ᾱ/(1−ᾱ)) against t; the curve stays decreasing"));
}

void LogSnrCurveEditor::setPoints(const ControlPointSchedule& points, std::vector<double> reference)
{
    points_ = points;
    reference_ = std::move(reference);
    curve_ = logSnrCurve(points_);
    const auto [mn, mx] = std::minmax_element(reference_.begin(), reference_.end());
    if (mn != reference_.end()) {
        lo_ = std::floor(*mn) - 2;
        hi_ = std::ceil(*mx) + 2;
    }
    update();
}

void LogSnrCurveEditor::dragPoint(size_t i, LogSnrPoint to)
{
    to.logSnr = std::clamp(to.logSnr, lo_, hi_);
    points_ = movePoint(points_, i, to);
    curve_ = logSnrCurve(points_);
    update();
    Q_EMIT pointsEdited(points_);
}

QRectF LogSnrCurveEditor::plotRect() const
{
    const int text = fontMetrics().height();
    return QRectF(QPointF(3.5 * text, 1.5 * text), QPointF(width() - text, height() - 2.5 * text));
}

QPointF LogSnrCurveEditor::toScreen(double t, double logSnr) const
{
    const auto r = plotRect();
    const double T = double(std::max<int64_t>(points_.T, 2));
    return {r.left() + (t - 1) / (T - 1) * r.width(), r.bottom() - (logSnr - lo_) / (hi_ - lo_) * r.height()};
}

LogSnrPoint LogSnrCurveEditor::fromScreen(QPointF position) const
{
    const auto r = plotRect();
    const double T = double(std::max<int64_t>(points_.T, 2));
    return {1 + (position.x() - r.left()) / r.width() * (T - 1), lo_ + (r.bottom() - position.y()) / r.height() * (hi_ - lo_)};
}

int LogSnrCurveEditor::pointNear(QPointF position) const
{
    int best = -1;
    double bestDistance = kPickRadius;
    for (size_t i = 0; i < points_.points.size(); ++i) {
        const auto d = toScreen(points_.points[i].t, points_.points[i].logSnr) - position;
        const double distance = std::hypot(d.x(), d.y());
        if (distance <= bestDistance)
            best = int(i), bestDistance = distance;
    }
    return best;
}

void LogSnrCurveEditor::drawAxes(QPainter& p, const QRectF& r) const
{
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(r);
    p.setPen(palette().color(QPalette::Text));
    const auto fm = fontMetrics();
    const double step = (hi_ - lo_) > 24 ? 10 : 5;
    for (double v = std::ceil(lo_ / step) * step; v <= hi_; v += step) {
        const double y = toScreen(1, v).y();
        p.drawLine(QPointF(r.left() - 4, y), QPointF(r.left(), y));
        const auto label = QString::number(v);
        p.drawText(QPointF(r.left() - 6 - fm.horizontalAdvance(label), y + fm.ascent() / 2.5), label);
    }
    for (int i = 0; i <= 4; ++i) {
        const double t = 1 + double(i) / 4 * double(points_.T - 1);
        const double x = toScreen(t, lo_).x();
        p.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + 4));
        const auto label = QString::number(std::lround(t));
        p.drawText(QPointF(x - fm.horizontalAdvance(label) / 2.0, r.bottom() + 4 + fm.ascent()), label);
    }
    p.drawText(QPointF(r.center().x() - fm.horizontalAdvance("t") / 2.0, height() - 4), QStringLiteral("t"));
    p.drawText(QPointF(r.left(), r.top() - 5), tr("log-SNR λ(t): edited (solid), preset (dashed); drag the points"));
}

void LogSnrCurveEditor::drawCurve(QPainter& p, const std::vector<double>& lambda, const QPen& pen) const
{
    if (lambda.empty())
        return;
    QPainterPath path;
    const size_t stride = std::max<size_t>(1, lambda.size() / 600);
    for (size_t k = 0; k < lambda.size(); k += stride) {
        const auto q = toScreen(double(k + 1), std::clamp(lambda[k], lo_, hi_));
        k == 0 ? path.moveTo(q) : path.lineTo(q);
    }
    path.lineTo(toScreen(double(lambda.size()), std::clamp(lambda.back(), lo_, hi_)));
    p.setPen(pen);
    p.drawPath(path);
}

void LogSnrCurveEditor::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().color(QPalette::Base));
    const auto r = plotRect();
    drawAxes(p, r);
    p.save();
    p.setClipRect(r.adjusted(-6, -6, 6, 6));
    drawCurve(p, reference_, QPen(QColor(120, 120, 120), 1.4, Qt::DashLine));
    drawCurve(p, curve_, QPen(QColor(31, 119, 180), 2.0));
    for (size_t i = 0; i < points_.points.size(); ++i) {
        const auto q = toScreen(points_.points[i].t, points_.points[i].logSnr);
        p.setPen(QPen(Qt::black, 1));
        p.setBrush(int(i) == dragging_ ? QColor(255, 127, 14) : QColor(31, 119, 180));
        p.drawEllipse(q, 5, 5);
    }
    p.restore();
}

void LogSnrCurveEditor::mousePressEvent(QMouseEvent* event)
{
    dragging_ = event->button() == Qt::LeftButton ? pointNear(event->position()) : -1;
    update();
}

void LogSnrCurveEditor::mouseMoveEvent(QMouseEvent* event)
{
    if (dragging_ < 0) {
        setCursor(pointNear(event->position()) >= 0 ? Qt::OpenHandCursor : Qt::ArrowCursor);
        return;
    }
    dragPoint(size_t(dragging_), fromScreen(event->position()));
}

void LogSnrCurveEditor::mouseReleaseEvent(QMouseEvent*)
{
    if (dragging_ < 0)
        return;
    dragging_ = -1;
    update();
    Q_EMIT dragFinished();
}

} // namespace ds
