#pragma once
// Sampler comparison: two to six panes side by side, each with its own sampler, steps,
// spacing and σ/η, all started from the same x_T (the shared seed's first draw). One slider
// scrubs every pane along an axis (core/instruments/frame_axis.h): t/T, log-SNR λ (the same
// noise level across step counts and schedules) or network evaluations; each pane shows its
// frame nearest the slider's value and says where it is. Stochastic panes can share one
// Brownian noise path (core/brownian_noise.h; on by default). A click on a pixel of any pane
// probes it in every pane (probe_panel.h). The stochastic-σ toggle applies live to the panes
// that follow it. Panes started together on the open model share their network calls: one
// engine job runs them side by side and each round's rows go through the model as one call
// (postSamplingGroup); panes with a model of their own, or a whole-chain solver, run alone.
#include "widgets/common/sampler_settings.h"
#include "widgets/engine/metric_hook.h"

#include "core/instruments/frame_axis.h"

#include <QList>
#include <QWidget>

#include <memory>
#include <utility>

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QTimer;
class QPushButton;
class QSlider;
class QSpinBox;

namespace ds {

class ComparisonPane;
class ModelSession;
class ProbePanel;
class SamplingGroupLog;
class StochasticSigmaBar;

class ComparisonView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMinPanes = 2;
    static constexpr int kMaxPanes = 6;

    explicit ComparisonView(ModelSession& model, QWidget* parent = nullptr);

    int paneCount() const { return int(panes_.size()); }
    ComparisonPane* pane(int i) const { return panes_.value(i); }
    // Adds a pane (nullptr at kMaxPanes); it runs at once when a model is open.
    ComparisonPane* addPane(const SamplerSettings& settings, bool followSigma = true);
    // Removes pane i (false at kMinPanes).
    bool removePane(int i);
    QList<SamplerSettings> paneSettings() const;
    void setPaneSettings(const QList<SamplerSettings>& settings); // 2..6 panes, no run

    void runAll();
    void runPane(ComparisonPane* pane);
    // Starts `panes` at once: those that can share the open model's calls run as one group.
    void runPanes(const QList<ComparisonPane*>& panes);
    // Panes share calls only up to this many samples per pane. Measured on the DDPM demo (2-core
    // CPU, docs/benchmarks.md): 4 panes x 1 sample 3.5-4.8x faster together, x 4 0.91x, x 9
    // 0.61-0.77x: on CPU a call's cost grows linearly past a few rows, and the threads cost.
    static constexpr int kShareCallsMaxBatchCpu = 2;
    void setShareCallsUpToBatch(int batch) { shareCallsUpToBatch_ = batch; }
    // The call counts of the last group of two or more panes (null before one started).
    std::shared_ptr<const SamplingGroupLog> lastGroup() const { return lastGroup_; }
    bool running() const;
    void setTime(double time); // aligns by t/T (1 = x_T, 0 = samples) and goes there
    double time() const;       // t/T when aligned by time, else NaN
    // The slider's axis and its value on it (λ = +∞ at the samples end).
    void setAxis(FrameAxis axis);
    FrameAxis axis() const { return axis_; }
    void setAxisValue(double value);
    double axisValue() const { return value_; }
    // The slider's finite span on the current axis, noisy end first: t/T 1 → 0, λ low → high
    // (the last tick is +∞, the samples), NFE 0 → the most any pane made.
    std::pair<double, double> axisSpan() const;
    QString axisLabel() const; // the text beside the slider
    // Shared noise path for stochastic panes (reruns them).
    void setSharedNoisePath(bool shared);
    bool sharedNoisePath() const;
    // Probes a pixel of one sample in every pane, as a click in a pane does.
    void probePixel(int sample, int x, int y);
    ProbePanel& probe() const { return *probe_; }
    StochasticSigmaBar& sigmaBar() const { return *sigma_; }
    void setMetric(const SampleMetric& metric) { metric_ = metric; }

Q_SIGNALS:
    void paneCountChanged(int count);
    void allFinished();

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* makeTopRow();
    void applySigmaToggle();
    void alignEditors();
    void renumber();
    void updateButtons();
    QWidget* makeTimeRow();
    void showAxisValue();
    void syncSlider();
    double valueAtTicks(int ticks) const;
    int ticksFor(double value) const;
    void reprobe();
    void paneFramesChanged();

    ModelSession& model_;
    QList<ComparisonPane*> panes_;
    QHBoxLayout* paneRow_;
    StochasticSigmaBar* sigma_;
    QSpinBox* seed_;
    QSpinBox* batch_;
    QPushButton* add_;
    QSlider* time_;
    QLabel* timeLabel_;
    QComboBox* axisBox_;
    QCheckBox* sharedNoise_;
    ProbePanel* probe_;
    QTimer* probeTimer_;   // coalesces re-probes while frames stream in
    QTimer* spanTimer_;    // the λ/NFE span follows the runs, coalesced
    FrameAxis axis_ = FrameAxis::Time;
    double value_ = 0;     // on axis_
    SampleMetric metric_;
    std::shared_ptr<SamplingGroupLog> lastGroup_;
    int shareCallsUpToBatch_ = kShareCallsMaxBatchCpu;
    bool stale_ = true; // a model opened while hidden: run when shown
};

} // namespace ds
