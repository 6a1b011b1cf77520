#pragma once
// Shows an image with crisp (nearest-neighbour) zoom, optional colour overlay and pixel
// markers, and reports the image pixel under the mouse. Zoom: fit (integer factors when the
// image is smaller than the widget) or a fixed factor; Ctrl+wheel or +/−/0 change it, and a
// left-drag pans a zoomed image. A click without a drag reports the pixel clicked.
#include <QColor>
#include <QImage>
#include <QPoint>
#include <QVector>
#include <QWidget>

namespace ds {

class ImageCanvas : public QWidget {
    Q_OBJECT
public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    void setImage(const QImage& image);
    const QImage& image() const { return image_; }
    void setOverlay(const QImage& overlay, double opacity); // null image: none
    // Boxes around image pixels; colours per marker (missing ones get distinct hues).
    void setMarkers(const QVector<QPoint>& pixels, const QVector<QColor>& colours = {});
    void setNote(const QString& note);                      // text drawn over the image
    // 0 = fit; otherwise screen pixels per image pixel.
    void setZoom(double zoom);
    double zoom() const { return zoom_; }
    double effectiveZoom() const;
    // Image pixel at a widget position; (−1, −1) outside the image.
    QPoint imagePixelAt(QPoint widgetPos) const;

    QSize sizeHint() const override { return {420, 420}; }
    QSize minimumSizeHint() const override { return {120, 120}; }

Q_SIGNALS:
    void hovered(QPoint pixel); // (−1, −1) when the mouse leaves the image
    void clicked(QPoint pixel);
    void zoomChanged(double zoom);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    QRectF targetRect() const;
    void zoomBy(double factor);

    QImage image_;
    QImage overlay_;
    double overlayOpacity_ = 0.6;
    QVector<QPoint> markers_;
    QVector<QColor> markerColours_;
    QString note_;
    double zoom_ = 0;
    QPointF pan_;      // offset of the image centre from the widget centre, screen pixels
    QPoint pressPos_;
    QPointF pressPan_;
    bool dragging_ = false;
    bool pressed_ = false;
};

} // namespace ds
