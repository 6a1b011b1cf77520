#pragma once
// One pane of the sampler comparison: its own sampler settings, the batch at the shared
// normalised time, and what the run cost (wall time, network passes) plus a quality metric.
#include "widgets/common/sampler_settings.h"
#include "widgets/engine/engine_messages.h"
#include "widgets/engine/metric_hook.h"

#include "core/data/data_range.h"
#include "core/stop_token.h"
#include "core/trajectory.h"

#include <QFrame>

#include <functional>

class QCheckBox;
class QLabel;
class QTimer;

namespace ds {

class ImageCanvas;
class JobProgress;
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

    // Starts a run from the shared seed (x_T is the seed's first draw, the same in every pane).
    void run(ModelSession& model, int batch, uint64_t seed, const SampleMetric& metric);
    void cancel();
    bool running() const { return running_; }
    // Shows the frame whose t/T is nearest to `time` (1 = x_T, 0 = the samples).
    void showTime(double time);

    const Trajectory& trajectory() const { return trajectory_; }
    const RunSummary& summary() const { return summary_; }
    DataRange range() const { return range_; } // the model's data range
    QString statsText() const;
    QString metricText() const { return metricText_; } // empty until the metric is computed
    ImageCanvas& canvas() const { return *canvas_; }

Q_SIGNALS:
    void settingsEdited();   // debounced; the view reruns the pane
    void removeRequested();
    void runFinished();

private:
    ModelSession* paneModel(ModelSession& shared, const QString& spec);
    void onFrame(const FramePacket& p);
    void onFinished(const RunSummary& s);
    void updateStats();

    SamplerSettingsEditor* editor_;
    QLabel* title_;
    QCheckBox* follow_;
    ImageCanvas* canvas_;
    QLabel* stats_;
    JobProgress* progress_;
    QTimer* editTimer_;

    Trajectory trajectory_;
    RunSummary summary_;
    DataRange range_;
    int64_t T_ = 1000;
    double time_ = 0;
    quint64 ticket_ = 0;
    StopToken stop_;
    bool running_ = false;
    QString metricText_;
    SampleMetric metric_;
    std::string dataset_;
    ModelSession* ownModel_ = nullptr; // a model of this pane's own (settings().model), if any
    QString ownSpec_;
    std::function<void()> pendingRun_;  // a run waiting for ownModel_ to open
};

} // namespace ds
