#pragma once
// The live schedule editor (SNR tab): pick a preset (linear, scaled-linear, sigmoid, cosine;
// optionally rescaled to zero terminal SNR) and edit its parameters, or drag control points on
// its log-SNR curve. The forward process of one Fashion-MNIST item, the ᾱ and SNR charts and a
// DDIM run on the exact empirical oracle update live, from cached noise (the same ε and x_T
// every time, so only the schedule's effect shows). Previews run on the editor's engine thread
// (an EngineThread of its own, so they never queue behind the open model's sampling); edits are
// coalesced by a 40 ms timer (restarted for at most 120 ms, so a long drag still previews), one
// preview runs at a time, the newest edit waiting for it is the next one run, and a result is
// shown only if no newer preview has started since (older tickets are dropped). Closing the
// editor stops the running preview through its stop token. Export writes the edited
// schedule as JSON (the trainer's --schedule / config "schedule") plus its betas as .npy.
#include "schedule_preview.h"

#include "core/control_point_schedule.h"

#include <QElapsedTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;
class QTimer;

namespace ds {

class EngineThread;
class ImageCanvas;
class LogSnrCurveEditor;
class PlotWidget;

class ScheduleEditor : public QWidget {
    Q_OBJECT
public:
    explicit ScheduleEditor(QWidget* parent = nullptr);
    ~ScheduleEditor() override;

    // The preset's spec from the form (kind, T, parameters, zero terminal SNR).
    ScheduleSpec presetSpec() const;
    void setPreset(const ScheduleSpec& spec); // fills the form; resets the points
    // The schedule previewed: the preset itself until a point is dragged, then the points' ᾱ table.
    ScheduleSpec editedSpec() const;
    bool edited() const { return edited_; }
    // Replaces the control points (validated: a bad set is refused with the message shown and
    // returned; empty string on success).
    QString setControlPoints(const ControlPointSchedule& points);
    const ControlPointSchedule& controlPoints() const { return points_; }
    void setDdimSteps(int steps);

    // Writes <stem>.json and <stem>.betas.npy; returns an error message or an empty string.
    QString exportTo(const QString& stem);

    LogSnrCurveEditor& curve() const { return *curve_; }
    PlotWidget& alphaBarPlot() const { return *alphaBarPlot_; }
    PlotWidget& snrPlot() const { return *snrPlot_; }
    const SchedulePreview& result() const { return result_; }
    QString message() const;
    bool busy() const { return busy_ || pending_; }
    int previewsStarted() const { return started_; } // engine runs so far (tests: coalescing)

public Q_SLOTS:
    void recompute(); // coalesced

Q_SIGNALS:
    void updated(); // a result was applied
    void failed(const QString& message);

private:
    QWidget* makeControls();
    void addPresetRows(QFormLayout* form);
    void connectControls();
    void updateParameterRows();
    void resetPoints();
    void onPointsEdited(const ControlPointSchedule& points);
    void exportWithDialog();
    void start();
    void apply(const SchedulePreview& result);

    QComboBox* kind_;
    QSpinBox* T_;
    QDoubleSpinBox* betaStart_;
    QDoubleSpinBox* betaEnd_;
    QDoubleSpinBox* cosineS_;
    QCheckBox* zeroTerminal_;
    QSpinBox* pointCount_;
    QComboBox* interpolation_;
    QSpinBox* ddimSteps_;
    QFormLayout* form_;
    LogSnrCurveEditor* curve_;
    PlotWidget* alphaBarPlot_;
    PlotWidget* snrPlot_;
    ImageCanvas* forward_;
    ImageCanvas* samples_;
    QLabel* summary_;
    QTimer* timer_;
    EngineThread* engine_;

    ControlPointSchedule points_;
    bool edited_ = false;
    SchedulePreview result_;
    // The cached data and noise: made and read on the engine thread only.
    std::shared_ptr<std::optional<SchedulePreviewData>> data_;
    StopToken runningStop_;
    QElapsedTimer burst_; // since the first edit of the current burst
    quint64 ticket_ = 0;
    int started_ = 0;
    bool busy_ = false;
    bool pending_ = false;
};

} // namespace ds
