#pragma once
// The pixel under the mouse: x_t, x̂0, ᾱ and per-pixel SNR at the current t (one value per
// channel). Values come from TrajectoryDocument::readout. Every row wraps rather than clips,
// and a note says what the SNR is computed from: in a forward run the schedule's ᾱ(t) and the
// data x0 (no model is asked, so x̂0 is absent unless the x̂0 view requested it); in a
// reverse run ᾱ(t) and the model's x̂0. 2D point data has no pixels: showUnavailable() says
// so instead of leaving an image model's values behind.
#include <QGroupBox>

class QLabel;

namespace ds {

struct PixelReadout;

class PixelInspector : public QGroupBox {
    Q_OBJECT
public:
    explicit PixelInspector(QWidget* parent = nullptr);
    void show(const PixelReadout& readout);
    void clear();
    void showUnavailable(const QString& why); // e.g. 2D points: clears every value
    QString text() const; // all rows, for tests and copying

private:
    QLabel* position_;
    QLabel* value_;
    QLabel* x0_;
    QLabel* alphaBar_;
    QLabel* snr_;
    QLabel* note_;
};

} // namespace ds
