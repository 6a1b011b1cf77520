#include "image_canvas.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <cmath>

namespace ds {
namespace {

constexpr double kMinZoom = 0.125, kMaxZoom = 64.0;
constexpr int kDragThreshold = 4; // pixels a press may move and still count as a click

} // namespace

ImageCanvas::ImageCanvas(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageCanvas::setImage(const QImage& image)
{
    // RGB32 is the raster engine's native format: scaled draws of it take the fast path.
    image_ = image.isNull() || image.format() == QImage::Format_RGB32 ? image : image.convertToFormat(QImage::Format_RGB32);
    update();
}

void ImageCanvas::setOverlay(const QImage& overlay, double opacity)
{
    overlay_ = overlay;
    overlayOpacity_ = opacity;
    update();
}

void ImageCanvas::setMarkers(const QVector<QPoint>& pixels, const QVector<QColor>& colours)
{
    markers_ = pixels;
    markerColours_ = colours;
    update();
}

void ImageCanvas::setNote(const QString& note)
{
    if (note == note_)
        return;
    note_ = note;
    update();
}

void ImageCanvas::setZoom(double zoom)
{
    zoom_ = zoom <= 0 ? 0 : std::clamp(zoom, kMinZoom, kMaxZoom);
    if (zoom_ == 0)
        pan_ = {};
    update();
    Q_EMIT zoomChanged(zoom_);
}

double ImageCanvas::effectiveZoom() const
{
    if (image_.isNull())
        return 1;
    if (zoom_ > 0)
        return zoom_;
    const double fit = std::min(double(width()) / image_.width(), double(height()) / image_.height());
    return fit >= 1 ? std::floor(fit) : fit; // whole factors keep every pixel the same size
}

QRectF ImageCanvas::targetRect() const
{
    const double z = effectiveZoom();
    const QSizeF size(image_.width() * z, image_.height() * z);
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + pan_;
    return {QPointF(std::round(centre.x() - size.width() / 2), std::round(centre.y() - size.height() / 2)), size};
}

QPoint ImageCanvas::imagePixelAt(QPoint widgetPos) const
{
    if (image_.isNull())
        return {-1, -1};
    const auto r = targetRect();
    const double z = effectiveZoom();
    const int x = int(std::floor((widgetPos.x() - r.left()) / z)), y = int(std::floor((widgetPos.y() - r.top()) / z));
    if (x < 0 || y < 0 || x >= image_.width() || y >= image_.height())
        return {-1, -1};
    return {x, y};
}

void ImageCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(30, 30, 32));
    if (image_.isNull())
        return;
    const auto r = targetRect();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false); // crisp pixels
    p.drawImage(r, image_);
    if (!overlay_.isNull()) {
        p.setOpacity(overlayOpacity_);
        p.drawImage(r, overlay_);
        p.setOpacity(1);
    }
    const double z = effectiveZoom();
    for (int i = 0; i < markers_.size(); ++i) {
        const QRectF box(r.left() + markers_[i].x() * z, r.top() + markers_[i].y() * z, z, z);
        const QColor colour = i < markerColours_.size() ? markerColours_[i] : QColor::fromHsv((i * 67) % 360, 230, 255);
        p.setPen(QPen(colour, 2));
        p.drawRect(box.adjusted(-3, -3, 3, 3));
    }
    if (!note_.isEmpty()) {
        p.setPen(Qt::white);
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, note_);
    }
}

void ImageCanvas::zoomBy(double factor) { setZoom(std::clamp(effectiveZoom() * factor, kMinZoom, kMaxZoom)); }

void ImageCanvas::wheelEvent(QWheelEvent* event)
{
    if (!(event->modifiers() & Qt::ControlModifier)) {
        event->ignore();
        return;
    }
    zoomBy(event->angleDelta().y() > 0 ? 2.0 : 0.5);
    event->accept();
}

void ImageCanvas::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    pressed_ = true;
    dragging_ = false;
    pressPos_ = event->position().toPoint();
    pressPan_ = pan_;
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const auto pos = event->position().toPoint();
    if (pressed_ && (pos - pressPos_).manhattanLength() > kDragThreshold && zoom_ > 0) {
        dragging_ = true;
        pan_ = pressPan_ + QPointF(pos - pressPos_);
        update();
    }
    Q_EMIT hovered(imagePixelAt(pos));
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !pressed_)
        return QWidget::mouseReleaseEvent(event);
    pressed_ = false;
    if (!dragging_) {
        const auto pixel = imagePixelAt(event->position().toPoint());
        if (pixel.x() >= 0)
            Q_EMIT clicked(pixel);
    }
    dragging_ = false;
}

void ImageCanvas::leaveEvent(QEvent*) { Q_EMIT hovered({-1, -1}); }

void ImageCanvas::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(2.0); break;
    case Qt::Key_Minus: zoomBy(0.5); break;
    case Qt::Key_0: setZoom(0); break;
    default: event->ignore(); return; // arrows, space, Home/End go to the parent view
    }
}

} // namespace ds
