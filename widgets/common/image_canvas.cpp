#include "image_canvas.h"

#include "colour_legend.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <cmath>

namespace ds {
namespace {

constexpr double kMinZoom = 0.125, kMaxZoom = 64.0;
constexpr int kDragThreshold = 4; // pixels a press may move and still count as a click
constexpr int kScaleWidth = 150, kScaleHeight = 190;

} // namespace

ImageCanvas::ImageCanvas(QWidget* parent) : QAbstractScrollArea(parent)
{
    setFrameShape(QFrame::NoFrame); // viewport coordinates are the widget's
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::ClickFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
}

void ImageCanvas::setImage(const QImage& image)
{
    const bool resized = image.size() != image_.size();
    // RGB32 is the raster engine's native format: scaled draws of it take the fast path.
    image_ = image.isNull() || image.format() == QImage::Format_RGB32 ? image : image.convertToFormat(QImage::Format_RGB32);
    if (resized)
        updateScrollBars();
    viewport()->update();
}

void ImageCanvas::setOverlay(const QImage& overlay, double opacity)
{
    overlay_ = overlay;
    overlayOpacity_ = opacity;
    viewport()->update();
}

void ImageCanvas::setMarkers(const QVector<QPoint>& pixels, const QVector<QColor>& colours)
{
    markers_ = pixels;
    markerColours_ = colours;
    viewport()->update();
}

void ImageCanvas::setNote(const QString& note)
{
    if (note == note_)
        return;
    note_ = note;
    viewport()->update();
}

void ImageCanvas::setColourScale(const std::optional<ColourScale>& scale)
{
    scale_ = scale;
    viewport()->update();
}

void ImageCanvas::setZoom(double zoom) { zoomAbout(zoom, QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0)); }

double ImageCanvas::effectiveZoom() const
{
    if (image_.isNull())
        return 1;
    if (zoom_ > 0)
        return zoom_;
    const auto* v = viewport();
    const double fit = std::min(double(v->width()) / image_.width(), double(v->height()) / image_.height());
    return fit >= 1 ? std::floor(fit) : fit; // whole factors keep every pixel the same size
}

// Centred along an axis where the zoomed image fits the viewport, else placed by the scrollbar.
QRectF ImageCanvas::targetRect() const
{
    const double z = effectiveZoom();
    const QSizeF size(image_.width() * z, image_.height() * z);
    const auto* v = viewport();
    const double left = size.width() <= v->width() ? std::round((v->width() - size.width()) / 2) : -horizontalScrollBar()->value();
    const double top = size.height() <= v->height() ? std::round((v->height() - size.height()) / 2) : -verticalScrollBar()->value();
    return {QPointF(left, top), size};
}

void ImageCanvas::updateScrollBars()
{
    const double z = image_.isNull() ? 1 : effectiveZoom();
    const QSize content(int(std::ceil(image_.width() * z)), int(std::ceil(image_.height() * z)));
    const QSize view = viewport()->size();
    horizontalScrollBar()->setRange(0, std::max(0, content.width() - view.width()));
    horizontalScrollBar()->setPageStep(view.width());
    horizontalScrollBar()->setSingleStep(std::max(1, int(z)));
    verticalScrollBar()->setRange(0, std::max(0, content.height() - view.height()));
    verticalScrollBar()->setPageStep(view.height());
    verticalScrollBar()->setSingleStep(std::max(1, int(z)));
}

void ImageCanvas::zoomAbout(double zoom, QPointF anchor)
{
    const double before = effectiveZoom();
    const auto r = targetRect();
    const QPointF imagePoint = (anchor - r.topLeft()) / before; // image coordinates under the anchor
    zoom_ = zoom <= 0 ? 0 : std::clamp(zoom, kMinZoom, kMaxZoom);
    updateScrollBars();
    updateScrollBars(); // the bars' own appearance changes the viewport once
    const double after = effectiveZoom();
    horizontalScrollBar()->setValue(int(std::lround(imagePoint.x() * after - anchor.x())));
    verticalScrollBar()->setValue(int(std::lround(imagePoint.y() * after - anchor.y())));
    viewport()->update();
    Q_EMIT zoomChanged(zoom_);
}

QPoint ImageCanvas::imagePixelAt(QPoint pos) const
{
    if (image_.isNull())
        return {-1, -1};
    const auto r = targetRect();
    const double z = effectiveZoom();
    const int x = int(std::floor((pos.x() - r.left()) / z)), y = int(std::floor((pos.y() - r.top()) / z));
    if (x < 0 || y < 0 || x >= image_.width() || y >= image_.height())
        return {-1, -1};
    return {x, y};
}

void ImageCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    p.fillRect(viewport()->rect(), QColor(30, 30, 32));
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
    paintMarkers(p, r, effectiveZoom());
    if (scale_)
        paintScale(p);
    if (!note_.isEmpty()) {
        p.setPen(Qt::white);
        p.drawText(viewport()->rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, note_);
    }
}

void ImageCanvas::paintMarkers(QPainter& p, const QRectF& r, double z)
{
    for (int i = 0; i < markers_.size(); ++i) {
        const QRectF box(r.left() + markers_[i].x() * z, r.top() + markers_[i].y() * z, z, z);
        const QColor colour = i < markerColours_.size() ? markerColours_[i] : QColor::fromHsv((i * 67) % 360, 230, 255);
        p.setPen(QPen(colour, 2));
        p.drawRect(box.adjusted(-3, -3, 3, 3));
    }
}

// The colour bar on a dark card in the top-right corner, drawn over the image.
void ImageCanvas::paintScale(QPainter& p)
{
    const QRect card(viewport()->width() - kScaleWidth - 8, 8, kScaleWidth, kScaleHeight);
    if (card.left() < 0 || card.bottom() > viewport()->height())
        return; // too small a view: the bar would hide the image
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(20, 20, 22, 215));
    p.drawRoundedRect(card, 4, 4);
    paintColourBar(p, card.adjusted(6, 4, -4, -4), *scale_, QColor(235, 235, 235));
}

void ImageCanvas::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

void ImageCanvas::scrollContentsBy(int, int) { viewport()->update(); }

bool ImageCanvas::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::Leave)
        Q_EMIT hovered({-1, -1});
    return QAbstractScrollArea::viewportEvent(event);
}

void ImageCanvas::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ShiftModifier || event->angleDelta().y() == 0)
        return QAbstractScrollArea::wheelEvent(event); // scrolls
    zoomAbout(effectiveZoom() * (event->angleDelta().y() > 0 ? 2.0 : 0.5), event->position());
    event->accept();
}

void ImageCanvas::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return QAbstractScrollArea::mousePressEvent(event);
    pressed_ = true;
    dragging_ = false;
    pressPos_ = event->position().toPoint();
    pressScroll_ = {horizontalScrollBar()->value(), verticalScrollBar()->value()};
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const auto pos = event->position().toPoint();
    const bool scrollable = horizontalScrollBar()->maximum() > 0 || verticalScrollBar()->maximum() > 0;
    if (pressed_ && scrollable && (pos - pressPos_).manhattanLength() > kDragThreshold) {
        dragging_ = true;
        horizontalScrollBar()->setValue(pressScroll_.x() - (pos.x() - pressPos_.x()));
        verticalScrollBar()->setValue(pressScroll_.y() - (pos.y() - pressPos_.y()));
    }
    Q_EMIT hovered(imagePixelAt(pos));
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !pressed_)
        return QAbstractScrollArea::mouseReleaseEvent(event);
    pressed_ = false;
    if (!dragging_) {
        const auto pixel = imagePixelAt(event->position().toPoint());
        if (pixel.x() >= 0)
            Q_EMIT clicked(pixel);
    }
    dragging_ = false;
}

void ImageCanvas::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: setZoom(effectiveZoom() * 2.0); break;
    case Qt::Key_Minus: setZoom(effectiveZoom() * 0.5); break;
    case Qt::Key_0: setZoom(0); break;
    default: event->ignore(); return; // arrows, space, Home/End go to the parent view
    }
}

} // namespace ds
