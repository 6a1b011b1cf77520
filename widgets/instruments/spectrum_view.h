#pragma once
// View → Spectrum: the radially averaged power spectrum of x_t and of x̂0 at the trajectory
// view's current frame (log-log), against the held-out data's mean spectrum: coarse-to-fine
// generation shows as x̂0 gaining power from low radii to high. The spectra of all frames are
// computed once per run on the engine thread (spectrum_job.h); following the slider only
// picks a row. The DC bin (radius 0, the mean brightness) has no place on a log radius axis
// and is left out of the chart (it is in the CSV). Export: the long CSV table of
// `diffscope-cli spectrum --trajectory` (t, radius, count, xt, x0, data); PNG/SVG from the
// chart's own menu.
#include "spectrum_job.h"

#include <QVector>
#include <QWidget>

class QLabel;
class QPushButton;

namespace ds {

class EngineThread;
class PlotWidget;

class SpectrumView : public QWidget {
    Q_OBJECT
public:
    explicit SpectrumView(EngineThread& engine, QWidget* parent = nullptr);

    // Computes the spectra of `trajectory` (and of the model's data) in the background.
    void setTrajectory(const Trajectory& trajectory, std::shared_ptr<Denoiser> denoiser);
    void clear();
    // Shows frame `frame`'s curves (kept and applied when the spectra arrive).
    void showFrame(int frame);
    int frame() const { return frame_; }
    bool busy() const { return pending_ > 0; }
    bool ready() const { return spectra_.xt.defined(); }
    const SpectrumOutcome& spectra() const { return spectra_; }
    // Power per radius bin (0 … R−1) at a frame; empty when not computed.
    QVector<double> xtPower(int frame) const;
    QVector<double> x0Power(int frame) const;
    QVector<double> dataPower() const;
    PlotWidget& plot() const { return *plot_; }
    QString note() const;
    // Empty on success, else a message naming the file.
    QString exportCsv(const QString& path) const;

Q_SIGNALS:
    void computed();
    void failed(const QString& message);

private:
    void adopt(const SpectrumOutcome& outcome);
    void replot();
    void exportWithDialog();

    EngineThread& engine_;
    PlotWidget* plot_;
    QLabel* note_;
    QPushButton* exportButton_;
    SpectrumOutcome spectra_;
    int frame_ = -1;
    int pending_ = 0;
    quint64 ticket_ = 0;
};

} // namespace ds
