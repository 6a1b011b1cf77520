#pragma once
// Fork at step k (the trajectory tab's Fork page): from the frame the trajectory view shows,
// continue the finished reverse run with other sampler options (another sampler, σ mode, η,
// scale or step count; widgets/common/sampler_settings_editor) on the engine thread, then show
// parent and fork side by side on one slider by t, and a chart of the drift RMS(x_fork −
// x_parent) and of x̂0 against t (core/instruments/fork.h computes both). The parent is
// replayed from its seed once (widgets/engine/parent_replay.h) and kept for further forks.
#include "frame_renderer.h"
#include "widgets/engine/fork_job.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QSlider;

namespace ds {

class ImageCanvas;
class JobProgress;
class ModelSession;
class PlotWidget;
class SamplerSettingsEditor;
class TrajectoryDocument;

class ForkView : public QWidget {
    Q_OBJECT
public:
    explicit ForkView(ModelSession& model, QWidget* parent = nullptr);
    ~ForkView() override; // stops a running fork

    // A new parent (a finished reverse run): forgets the previous recording and fork, and
    // sets the fork options to the parent's own (a fork with them drifts by exactly zero).
    void setParentRun(const ParentSpec& parent);
    // A recording of the current parent made elsewhere (the Picard replay).
    void setRecorded(const RecordedParent& recorded);
    const RecordedParent& recorded() const { return recorded_; }
    bool hasParent() const { return parent_.valid(); }
    // The t of the frame the trajectory view shows: where the next fork starts.
    void setForkPoint(int64_t t);
    int64_t forkPoint() const { return forkT_; }
    void setScaling(ValueScaling scaling);

    // Starts the fork; false (and failed()) when there is no parent or it is running.
    bool fork();
    void cancel();
    bool running() const { return running_; }
    const Fork* result() const { return fork_.get(); }

    // Shows fork frame i (and the parent's frame of nearest t): the slider's path.
    void showFrame(int frame);
    int shownFrame() const { return shown_; }
    SamplerSettingsEditor& editor() const { return *editor_; }
    PlotWidget& driftChart() const { return *chart_; }
    QSlider& slider() const { return *slider_; }
    ImageCanvas& parentCanvas() const { return *parentCanvas_; }
    ImageCanvas& forkCanvas() const { return *forkCanvas_; }
    JobProgress& progress() const { return *progress_; }
    QString summary() const;

Q_SIGNALS:
    void forked(const QString& message);
    void failed(const QString& message);

private:
    QWidget* makeOptions();
    QWidget* makeImages();
    void onDone(const ForkOutcome& outcome, quint64 ticket);
    void showFork();
    void plotDrift();

    ModelSession& model_;
    ParentSpec parent_;
    RecordedParent recorded_;
    std::shared_ptr<const Fork> fork_;
    TrajectoryDocument* parentDoc_;
    TrajectoryDocument* forkDoc_;
    SamplerSettingsEditor* editor_;
    QPushButton* button_;
    JobProgress* progress_;
    QLabel* status_;
    ImageCanvas* parentCanvas_;
    ImageCanvas* forkCanvas_;
    QLabel* parentLabel_;
    QLabel* forkLabel_;
    QSlider* slider_;
    QLabel* sliderLabel_;
    PlotWidget* chart_;
    StopToken stop_;
    quint64 ticket_ = 0;
    int64_t forkT_ = -1;
    int shown_ = -1;
    bool running_ = false;
    ValueScaling scaling_ = ValueScaling::Raw;
};

} // namespace ds
