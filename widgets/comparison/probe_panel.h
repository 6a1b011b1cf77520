#pragma once
// The pixel probe across panes (issue 13.1): one pixel (or patch) of one sample followed
// through every pane's stored frames, with no re-run. The left chart shows x_t (solid) and the
// model's x̂0 (dashed) of each pane against the comparison's axis (t/T, log-SNR λ or network
// evaluations), one colour per pane; the right chart shows the pixel's log-SNR λ (against t/T
// when the axis is λ itself). The tables come from core's probeTrajectory, computed off the UI
// thread, the newest request winning; CSV export writes the columns of `diffscope-cli probe`.
#include "core/instruments/frame_axis.h"
#include "core/instruments/pixel_probe.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QPushButton;
class QSpinBox;

namespace ds {

class PlotWidget;

// One pane's frames as the probe reads them. The trajectory is a copy of the pane's (frame
// tensors are shared, never written), so the probe can read it on another thread.
struct ProbeSource {
    QString legend;               // "Pane 1 · ddim, 50 steps"
    QString sampler;              // the CSV's sampler column
    QColor colour;
    Trajectory trajectory;
    std::shared_ptr<const Schedule> schedule;
    std::vector<int64_t> nfe;     // network passes at each frame (−1: unknown, the frame index is used)
};

// A probed pane: its legend and colour beside core's table.
struct ProbeCurve {
    QString legend, sampler;
    QColor colour;
    ProbeTable table;
};

class ProbePanel : public QWidget {
    Q_OBJECT
public:
    explicit ProbePanel(QWidget* parent = nullptr);

    // The region probed (patch size from the panel's own spin box); nullopt: none yet.
    void setPixel(int sample, int x, int y);
    std::optional<ProbeRegion> region() const;
    int patch() const;
    void setAxis(FrameAxis axis);
    FrameAxis axis() const { return axis_; }
    void setMarker(double value); // the slider's value on the axis (NaN or ±∞: hidden)
    // Re-reads every source for the region (off the UI thread); curvesReady() when done.
    void probe(QList<ProbeSource> sources);
    const QList<ProbeCurve>& curves() const { return curves_; }
    PlotWidget& valueChart() const { return *values_; }
    PlotWidget& snrChart() const { return *snr_; }
    // Writes the curves as `diffscope-cli probe --csv` does; empty on success, else a message.
    QString saveCsv(const QString& path) const;

    static QColor paneColour(int pane);

Q_SIGNALS:
    void curvesReady();
    void patchChanged(); // the view re-probes
    void markersChanged(); // the region or patch changed: panes redraw their markers

private:
    void showCurves();
    void exportWithDialog();
    double xOf(const ProbeCurve& c, size_t frame, bool snrChart) const;

    QLabel* title_;
    QSpinBox* patch_;
    QPushButton* export_;
    PlotWidget* values_;
    PlotWidget* snr_;
    FrameAxis axis_ = FrameAxis::Time;
    std::optional<ProbeRegion> region_;
    QList<ProbeCurve> curves_;
    quint64 ticket_ = 0;
};

} // namespace ds
