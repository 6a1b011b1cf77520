#pragma once
// The trajectory view: a batch's forward or reverse trajectory as a grid, scrubbed with a
// timeline (←/→, space, Home/End), zoomed with crisp pixels, with a pixel inspector. Reverse
// runs stream frames in as the sampler computes them; the view follows the newest frame until
// the user scrubs. The sampler's settings sit in a form beside the image; opening a model picks
// that model's defaults (modelDefaults()) unless the settings on show were made for it.
// x_t and x̂0 are drawn as raw values over the data range (values outside clipped and counted
// in the line under the image) unless "min–max scaled" is on, which that line then says.
// Beside Frames, two instrument pages: Fork (fork_view.h) and Picard residuals (picard_view.h),
// both fed from the last finished reverse run, replayed on the engine thread.
#include "frame_kind.h"
#include "frame_renderer.h"

#include "core/stop_token.h"

#include <QPoint>
#include <QWidget>

class QLabel;
class QTabWidget;
class QTimer;

namespace ds {

class ImageCanvas;
class JobProgress;
class ForkView;
class ModelSession;
class PicardView;
class PixelInspector;
class TimelineBar;
class TrajectoryControls;
class TrajectoryDocument;
class TrajectoryRunner;

class TrajectoryView : public QWidget {
    Q_OBJECT
public:
    explicit TrajectoryView(ModelSession& model, QWidget* parent = nullptr);
    ~TrajectoryView() override;

    TrajectoryDocument& document() const { return *document_; }
    TrajectoryRunner& runner() const { return *runner_; }
    TrajectoryControls& controls() const { return *controls_; }
    TimelineBar& timeline() const { return *timeline_; }
    ImageCanvas& canvas() const { return *canvas_; }
    PixelInspector& inspector() const { return *inspector_; }
    JobProgress& progress() const { return *progress_; }
    ForkView& forkView() const { return *fork_; }
    PicardView& picardView() const { return *picard_; }
    QTabWidget& pages() const { return *pages_; }
    // The line under the image: raw range and share outside, or "MIN–MAX SCALED: …".
    QString rangeNote() const;
    ValueScaling scaling() const { return scaling_; }

    int currentFrame() const { return frame_; }
    FrameKind kind() const { return kind_; }
    const RenderedFrame& rendered() const { return rendered_; }
    // Runs what the controls say (reverse with the sampler, or forward).
    void run();
    // Whether opening a model starts a reverse run at once (the start-up demo). Default true.
    void setAutoRun(bool on) { autoRun_ = on; }
    // The model source the sampler settings on show belong to: opening that model again keeps
    // them (fitted to it); any other model gets its own defaults.
    QString settingsModel() const { return settingsModel_; }
    void setSettingsModel(const QString& source) { settingsModel_ = source; }
    // Why the sampler settings are what they are ("starting from data: …"); empty if nothing to say.
    QString samplerNote() const;
    // Draws frame i now (the scrubbing path; also what the benchmark times).
    void showFrame(int frame);
    // Shows the inspector for a sample's pixel (what hovering does).
    void inspect(int sample, int x, int y);

Q_SIGNALS:
    void frameShown(int frame);
    void statusMessage(const QString& message);

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void matchSamplerToModel();
    void onFramesReplaced(int first);
    void connectDocument();
    void connectRunner();
    void onFramesAppended(int first, int count);
    void followStream();
    void onHovered(QPoint gridPixel);
    void refreshInspector();
    QString frameLabel(int frame) const;
    QWidget* makeFramesPage();
    void onRunFinished();
    void recordPicard();

    TrajectoryDocument* document_;
    TrajectoryRunner* runner_;
    TrajectoryControls* controls_;
    ImageCanvas* canvas_;
    TimelineBar* timeline_;
    PixelInspector* inspector_;
    JobProgress* progress_;
    QLabel* summary_;
    QLabel* samplerNote_;
    QLabel* rangeLabel_;
    QTabWidget* pages_;
    ForkView* fork_;
    PicardView* picard_;
    StopToken picardStop_;
    quint64 picardTicket_ = 0;
    ValueScaling scaling_ = ValueScaling::Raw;
    QString settingsModel_;
    QTimer* streamTimer_;
    ModelSession& model_;
    RenderedFrame rendered_;
    FrameKind kind_ = FrameKind::State;
    int frame_ = -1;
    bool follow_ = true; // jump to each new frame while streaming, until the user scrubs
    bool redraw_ = false; // the frame on screen was replaced (a new Picard iterate)
    bool autoRun_ = true;
    GridLayout::Pixel inspected_{-1, -1, -1};
};

} // namespace ds
