#pragma once
// Shows an image with crisp (nearest-neighbour) zoom, optional colour overlay, pixel markers
// and an optional colour bar, and reports the image pixel under the mouse. Zoom: fit (integer
// factors when the image is smaller than the widget) or a fixed factor; the wheel zooms about
// the pixel under the mouse (Shift+wheel scrolls), +/−/0 zoom from the keyboard, and a zoomed
// image larger than the view gets scrollbars and pans with a left-drag. A click without a drag
// reports the pixel clicked. Positions are in viewport() coordinates (the widget's own, as the
// canvas has no frame).
#include "colour_map.h"

#include <QAbstractScrollArea>
#include <QColor>
#include <QImage>
#include <QPoint>
#include <QVector>

#include <optional>

namespace ds {

class ImageCanvas : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    void setImage(const QImage& image);
    const QImage& image() const { return image_; }
    void setOverlay(const QImage& overlay, double opacity); // null image: none
    // Boxes around image pixels; colours per marker (missing ones get distinct hues).
    void setMarkers(const QVector<QPoint>& pixels, const QVector<QColor>& colours = {});
    const QVector<QPoint>& markers() const { return markers_; }
    void setNote(const QString& note);                      // text drawn over the image
    // A colour bar in the top-right corner explaining the gray levels (ε̂, Δ); nullopt: none.
    void setColourScale(const std::optional<ColourScale>& scale);
    const std::optional<ColourScale>& colourScale() const { return scale_; }
    // 0 = fit; otherwise screen pixels per image pixel (about the view's centre).
    void setZoom(double zoom);
    double zoom() const { return zoom_; }
    double effectiveZoom() const;
    // Image pixel at a viewport position; (−1, −1) outside the image.
    QPoint imagePixelAt(QPoint viewportPos) const;

    QSize sizeHint() const override { return {420, 420}; }
    QSize minimumSizeHint() const override { return {120, 120}; }

Q_SIGNALS:
    void hovered(QPoint pixel); // (−1, −1) when the mouse leaves the image
    void clicked(QPoint pixel);
    void zoomChanged(double zoom);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool viewportEvent(QEvent* event) override;

private:
    QRectF targetRect() const;
    void zoomAbout(double zoom, QPointF anchor); // keeps the image point under `anchor` there
    void updateScrollBars();
    void paintMarkers(QPainter& p, const QRectF& r, double z);
    void paintScale(QPainter& p);

    QImage image_;
    QImage overlay_;
    double overlayOpacity_ = 0.6;
    QVector<QPoint> markers_;
    QVector<QColor> markerColours_;
    QString note_;
    std::optional<ColourScale> scale_;
    double zoom_ = 0;
    QPoint pressPos_;
    QPoint pressScroll_;
    bool dragging_ = false;
    bool pressed_ = false;
};

} // namespace ds
