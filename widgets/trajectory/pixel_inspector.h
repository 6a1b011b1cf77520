#pragma once
// The pixel under the mouse: x_t, x̂0, ᾱ and per-pixel SNR at the current t (one value per
// channel). Values come from TrajectoryDocument::readout.
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
    QString text() const; // all rows, for tests and copying

private:
    QLabel* position_;
    QLabel* value_;
    QLabel* x0_;
    QLabel* alphaBar_;
    QLabel* snr_;
};

} // namespace ds
