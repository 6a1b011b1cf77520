#pragma once
// One pane of the sampler comparison: its own sampler settings, the batch at the shared
// normalised time, and what the run cost (wall time, network passes) plus a quality metric.
// Its run is a SamplingRun (ticket, stop token, frame budget, stale packets dropped). The
// footer is three one-line labels that elide (cost, metric, noise), so a long message never
// widens the window and the image keeps its size whatever the footer says. Frames are shown
// by the comparison's axis (core/instruments/frame_axis.h): t/T, log-SNR λ or network
// evaluations; each frame's λ and passes are kept beside the trajectory for that.
#include "widgets/common/sampler_settings.h"
#include "widgets/engine/engine_messages.h"
#include "widgets/engine/metric_hook.h"

#include "core/data/data_range.h"
#include "core/instruments/frame_axis.h"
#include "core/instruments/pixel_probe.h"
#include "core/trajectory.h"

#include <QFrame>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QTimer;

namespace ds {

class Denoiser;
class ElidedLabel;
class ImageCanvas;
class JobProgress;
class SamplingRun;
struct SamplingMember;
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
    void setAccent(const QColor& colour); // the pane's colour in the probe chart, on its title
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
    // With `together`, a run on the shared model that can share its network calls
    // (canShareCalls) is appended there for the caller to post with the others' instead.
    void run(ModelSession& model, int batch, uint64_t seed, const SampleMetric& metric,
             std::vector<SamplingMember>* together = nullptr);
    void cancel();
    bool running() const; // also while the pane waits for its own model to open
    // Shows the frame whose t/T is nearest to `time` (1 = x_T, 0 = the samples).
    void showTime(double time) { showAt(FrameAxis::Time, time); }
    // Shows the frame nearest `value` on `axis` (λ = +∞: the samples; beyond the run's range:
    // its nearest end).
    void showAt(FrameAxis axis, double value);
    int64_t shownFrame() const { return shown_; } // −1 before the first frame
    // Frame i on an axis: t/T, λ (+∞ for the samples, NaN where unknown) or passes so far.
    double frameValue(FrameAxis axis, int64_t frame) const;
    const std::vector<double>& frameLogSnrs() const { return lambda_; }
    const std::vector<int64_t>& framePasses() const { return nfe_; }
    // The schedule of the model the last run used (null before a run).
    std::shared_ptr<const Schedule> schedule() const;
    // Step noise from the seed's shared Brownian path for the next runs (where the sampler can).
    void setSharedNoisePath(bool shared);
    QString noiseText() const; // the noise footer line
    // Boxes the probed pixel (or patch) in this pane's image; nullopt: none.
    void setProbeMarker(const std::optional<ProbeRegion>& region);

    const Trajectory& trajectory() const { return trajectory_; }
    const RunSummary& summary() const { return summary_; }
    DataRange range() const { return range_; } // the model's data range
    QString statsText() const; // both footer lines, joined by " · "
    QString messageText() const; // the progress row: "failed: …", "cancelled", or the run's label
    QString positionText() const; // "t = 612", "λ = −2.31 (t = 612)" or "NFE 14 (t = 612)"
    QString metricText() const { return metricText_; } // empty until the metric is computed
    ImageCanvas& canvas() const { return *canvas_; }

Q_SIGNALS:
    void settingsEdited();   // debounced; the view reruns the pane
    void removeRequested();
    void runFinished();
    void editorRowsChanged(); // the form showed or hid rows
    void pixelClicked(int sample, int x, int y); // a click on a pixel of the image (not a gap)
    void framesChanged();     // a frame arrived or the run ended: the probe re-reads

private:
    ModelSession* paneModel(ModelSession& shared, const QString& spec);
    void onFrame(const FramePacket& p);
    void onFinished(const RunSummary& s);
    void updateStats();
    void updateNoise();
    void recordAxes(const FramePacket& p);
    void onCanvasClicked(QPoint pixel);
    void drawMarker();

    SamplerSettingsEditor* editor_;
    QLabel* title_;
    QCheckBox* follow_;
    ImageCanvas* canvas_;
    ElidedLabel* stats_;  // t, wall time, passes and rounds (or the settings before a run)
    ElidedLabel* metricLabel_; // the metric, "scoring…", or why the pane's model did not open
    ElidedLabel* noise_;       // where the step noise came from (shared path, own stream, none)
    JobProgress* progress_;
    QTimer* editTimer_;

    Trajectory trajectory_;
    RunSummary summary_;
    DataRange range_;
    int64_t T_ = 1000;
    FrameAxis axis_ = FrameAxis::Time;
    double axisValue_ = 0; // on axis_
    int64_t shown_ = -1;
    std::vector<double> lambda_; // λ per frame (frame_axis.h)
    std::vector<int64_t> nfe_;   // passes per frame (−1 unknown)
    std::shared_ptr<Denoiser> denoiser_; // the last run's model (its schedule)
    std::optional<ProbeRegion> marker_;
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
