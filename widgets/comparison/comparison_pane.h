#pragma once
// One pane of the sampler comparison: its own sampler settings, the batch at the shared
// normalised time, and what the run cost (wall time, network passes) plus a quality metric.
// Its run is a SamplingRun (ticket, stop token, frame budget, stale packets dropped). The
// footer is two one-line labels that elide, so a long message never widens the window and the
// image keeps its size whatever the footer says.
#include "widgets/common/sampler_settings.h"
#include "widgets/engine/engine_messages.h"
#include "widgets/engine/metric_hook.h"

#include "core/data/data_range.h"
#include "core/trajectory.h"

#include <QFrame>

#include <functional>

class QCheckBox;
class QLabel;
class QTimer;

namespace ds {

class Denoiser;
class ElidedLabel;
class ImageCanvas;
class JobProgress;
class SamplingRun;
class ModelSession;
class SamplerSettingsEditor;

class ComparisonPane : public QFrame {
    Q_OBJECT
public:
    explicit ComparisonPane(QWidget* parent = nullptr);
    ~ComparisonPane() override;

    SamplerSettings settings() const;
    void setSettings(const SamplerSettings& settings); // does not rerun
    bool followsSigmaToggle() const;
    void setFollowsSigmaToggle(bool follow);
    void setTitle(const QString& title);
    void setMaxSteps(int T);
    // Offers only the samplers `model` accepts and fits the settings to it (modelDefaults when
    // the sampler does not fit). `opened`: the model was just opened, so a model whose x_T is
    // not N(0, I) also moves the start to data. Every run fits to the pane's model.
    void fitTo(const Denoiser& model, bool opened = false);
    QStringList offeredSamplers() const;
    // The settings form's natural height, and a floor for it: the view gives every pane's form
    // the height of the tallest, so the images line up at one size.
    int editorHeight() const;
    void setEditorMinimumHeight(int height);

    // Starts a run from the shared seed (x_T is the seed's first draw, the same in every pane).
    void run(ModelSession& model, int batch, uint64_t seed, const SampleMetric& metric);
    void cancel();
    bool running() const;
    // Shows the frame whose t/T is nearest to `time` (1 = x_T, 0 = the samples).
    void showTime(double time);

    const Trajectory& trajectory() const { return trajectory_; }
    const RunSummary& summary() const { return summary_; }
    DataRange range() const { return range_; } // the model's data range
    QString statsText() const; // both footer lines, joined by " · "
    QString messageText() const; // the progress row: "failed: …", "cancelled", or the run's label
    QString metricText() const { return metricText_; } // empty until the metric is computed
    ImageCanvas& canvas() const { return *canvas_; }

Q_SIGNALS:
    void settingsEdited();   // debounced; the view reruns the pane
    void removeRequested();
    void runFinished();
    void editorRowsChanged(); // the form showed or hid rows

private:
    ModelSession* paneModel(ModelSession& shared, const QString& spec);
    void onFrame(const FramePacket& p);
    void onFinished(const RunSummary& s);
    void updateStats();

    SamplerSettingsEditor* editor_;
    QLabel* title_;
    QCheckBox* follow_;
    ImageCanvas* canvas_;
    ElidedLabel* stats_;  // t, wall time, passes and rounds (or the settings before a run)
    ElidedLabel* metricLabel_; // the metric, "scoring…", or why the pane's model did not open
    JobProgress* progress_;
    QTimer* editTimer_;

    Trajectory trajectory_;
    RunSummary summary_;
    DataRange range_;
    int64_t T_ = 1000;
    double time_ = 0;
    SamplingRun* run_;
    QString metricText_;
    SampleMetric metric_;
    std::string dataset_;
    ModelSession* ownModel_ = nullptr; // a model of this pane's own (settings().model), if any
    QString ownSpec_;
    std::function<void()> pendingRun_;  // a run waiting for ownModel_ to open
    QString modelProblem_;              // why ownModel_ did not open
};

} // namespace ds
