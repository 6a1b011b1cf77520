#include "trajectory_view.h"

#include "fork_view.h"
#include "picard_view.h"
#include "pixel_inspector.h"
#include "timeline_bar.h"
#include "trajectory_controls.h"
#include "trajectory_document.h"
#include "trajectory_runner.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/sampler_settings_editor.h"
#include "widgets/engine/job_progress.h"
#include "widgets/engine/model_session.h"
#include "widgets/engine/parent_replay.h"

#include "core/data/point_cloud_image.h"
#include "core/denoisers/denoiser.h"

#include <QGroupBox>
#include <QKeyEvent>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <utility>

namespace ds {

TrajectoryView::TrajectoryView(ModelSession& model, QWidget* parent)
    : QWidget(parent), document_(new TrajectoryDocument(this)), model_(model)
{
    runner_ = new TrajectoryRunner(model, *document_, this);
    controls_ = new TrajectoryControls;
    canvas_ = new ImageCanvas;
    timeline_ = new TimelineBar;
    inspector_ = new PixelInspector;
    progress_ = new JobProgress;
    summary_ = new QLabel;
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // never widens the window
    samplerNote_ = new QLabel;
    samplerNote_->setWordWrap(true);
    samplerNote_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    samplerNote_->hide();
    streamTimer_ = new QTimer(this);
    streamTimer_->setSingleShot(true);
    streamTimer_->setInterval(15); // coalesces bursts of streamed frames into one draw

    auto* samplerBox = new QGroupBox(tr("Sampler"));
    auto* samplerLayout = new QVBoxLayout(samplerBox);
    samplerLayout->addWidget(&controls_->samplerEditor());
    samplerLayout->addWidget(samplerNote_);
    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(samplerBox);
    sideLayout->addWidget(inspector_);
    sideLayout->addStretch(1);
    fork_ = new ForkView(model);
    picard_ = new PicardView;
    pages_ = new QTabWidget;
    pages_->addTab(makeFramesPage(), tr("Frames"));
    pages_->addTab(fork_, tr("Fork"));
    pages_->addTab(picard_, tr("Picard residuals"));
    auto* split = new QSplitter;
    split->addWidget(pages_);
    split->addWidget(side);
    split->setStretchFactor(0, 1);
    split->setCollapsible(1, false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(controls_);
    layout->addWidget(split, 1);
    layout->addWidget(timeline_);
    layout->addWidget(progress_);
    layout->addWidget(summary_);
    setFocusPolicy(Qt::StrongFocus);
    timeline_->setFrameLabel([this](int f) { return frameLabel(f); });

    connectDocument();
    connectRunner();
    connect(controls_, &TrajectoryControls::runRequested, this, &TrajectoryView::run);
    connect(controls_, &TrajectoryControls::kindChanged, this, [this](FrameKind k) {
        kind_ = k;
        showFrame(frame_);
    });
    connect(controls_, &TrajectoryControls::zoomChanged, canvas_, &ImageCanvas::setZoom);
    connect(controls_, &TrajectoryControls::scalingChanged, this, [this](ValueScaling s) {
        scaling_ = s;
        fork_->setScaling(s);
        showFrame(frame_);
    });
    connect(fork_, &ForkView::forked, this, &TrajectoryView::statusMessage);
    connect(fork_, &ForkView::failed, this, &TrajectoryView::statusMessage);
    connect(&picard_->progress(), &JobProgress::cancelRequested, this, [this] { picardStop_.requestStop(); });
    connect(timeline_, &TimelineBar::frameChanged, this, [this](int f) {
        follow_ = f == document_->frameCount() - 1; // scrubbing back stops following the stream
        showFrame(f);
    });
    connect(canvas_, &ImageCanvas::hovered, this, &TrajectoryView::onHovered);
    connect(streamTimer_, &QTimer::timeout, this, &TrajectoryView::followStream);
    connect(&model_, &ModelSession::opened, this, [this] {
        matchSamplerToModel();
        controls_->setPointData(model_.denoiser() && isPointShape(model_.denoiser()->info().shape));
        if (autoRun_)
            run();
    });
}

TrajectoryView::~TrajectoryView()
{
    runner_->cancel();
    picardStop_.requestStop();
}

QWidget* TrajectoryView::makeFramesPage()
{
    rangeLabel_ = new QLabel;
    rangeLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    rangeLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(canvas_, 1);
    layout->addWidget(rangeLabel_);
    return page;
}

QString TrajectoryView::rangeNote() const { return rangeLabel_->text(); }

// A finished reverse run becomes the fork's parent; a Picard run's rounds are recorded too.
void TrajectoryView::onRunFinished()
{
    const auto& spec = runner_->finishedReverse();
    picardStop_.requestStop();
    ++picardTicket_;
    fork_->setParentRun(spec);
    if (!spec.valid())
        return;
    if (!isPicardSampler(spec.settings.sampler)) {
        picard_->clear(tr("%1 is not a Picard run: choose a picard-* sampler to record its rounds")
                           .arg(spec.settings.sampler));
        return;
    }
    recordPicard();
}

// Replays the Picard run on the engine thread with a round recorder (same seed: same rounds).
void TrajectoryView::recordPicard()
{
    const auto spec = runner_->finishedReverse();
    picardStop_ = StopToken();
    const auto ticket = picardTicket_;
    picard_->clear(tr("recording the rounds of %1…").arg(spec.settings.label()));
    picard_->progress().start(tr("recording Picard rounds"), spec.settings.options.steps);
    postReplayJob(
        model_.engine(), spec, this,
        [this, ticket](qint64 done, qint64 total) {
            if (ticket == picardTicket_)
                picard_->progress().setProgress(done, total);
        },
        [this, ticket, spec](const ReplayOutcome& o) {
            if (ticket != picardTicket_)
                return;
            if (!o.parent.picard) {
                picard_->progress().finish(o.cancelled ? tr("cancelled") : tr("failed: %1").arg(o.error));
                picard_->clear(o.cancelled ? tr("recording cancelled") : o.error);
                return;
            }
            picard_->progress().finish(tr("%1 rounds recorded").arg(o.parent.picard->residuals.size(0)));
            picard_->setRecord(o.parent.picard, spec.denoiser->info().range, spec.settings.label());
            fork_->setRecorded(o.parent);
        },
        picardStop_);
}

// The samplers the model's role accepts, and settings that suit it: the model's defaults, or
// the settings on show when they were made for this very model.
void TrajectoryView::matchSamplerToModel()
{
    const auto d = model_.denoiser();
    if (!d)
        return;
    const auto source = QString::fromStdString(d->info().source);
    QString why;
    const auto s = source == settingsModel_ ? fitToModel(controls_->samplerSettings(), *d, &why) : modelDefaults(*d, &why);
    controls_->setMaxSteps(int(d->schedule().steps()));
    controls_->setSamplers(samplersFor(*d));
    settingsModel_ = source;
    controls_->setSamplerSettings(s);
    samplerNote_->setText(why);
    samplerNote_->setVisible(!why.isEmpty());
    if (!why.isEmpty())
        Q_EMIT statusMessage(why);
}

QString TrajectoryView::samplerNote() const { return samplerNote_->text(); }

void TrajectoryView::connectDocument()
{
    connect(document_, &TrajectoryDocument::resetDone, this, [this] {
        follow_ = true;
        frame_ = -1;
        timeline_->setFrameCount(0);
        canvas_->setImage({});
        summary_->setText(tr("Showing: %1").arg(document_->meta().description));
    });
    connect(document_, &TrajectoryDocument::framesAppended, this, &TrajectoryView::onFramesAppended);
    connect(document_, &TrajectoryDocument::framesReplaced, this, &TrajectoryView::onFramesReplaced);
    connect(document_, &TrajectoryDocument::estimateArrived, this, [this](int f) {
        if (f == frame_)
            showFrame(f);
    });
}

void TrajectoryView::connectRunner()
{
    connect(runner_, &TrajectoryRunner::started, progress_, &JobProgress::start);
    connect(runner_, &TrajectoryRunner::progress, progress_, &JobProgress::setProgress);
    connect(runner_, &TrajectoryRunner::solveDetail, progress_, &JobProgress::setDetail);
    connect(runner_, &TrajectoryRunner::finished, this, [this](const QString& message) {
        streamTimer_->stop();
        followStream();
        progress_->finish(message);
        Q_EMIT statusMessage(message);
        onRunFinished();
    });
    connect(runner_, &TrajectoryRunner::failed, this, [this](const QString& message) {
        progress_->finish(tr("failed: %1").arg(message));
        Q_EMIT statusMessage(message);
    });
    connect(progress_, &JobProgress::cancelRequested, runner_, &TrajectoryRunner::cancel);
}

void TrajectoryView::run()
{
    timeline_->pause();
    if (controls_->reverse())
        runner_->runReverse(controls_->samplerSettings(), controls_->batch(), controls_->seed());
    else
        runner_->runForward(controls_->forwardMode(), controls_->batch(), controls_->seed());
}

void TrajectoryView::onFramesAppended(int first, int count)
{
    if (first == 0 && count == document_->frameCount() && !runner_->running()) {
        // A whole trajectory arrived at once: show it from its first frame.
        timeline_->setFrameCount(count);
        timeline_->setFrame(0);
        showFrame(0);
        return;
    }
    if (!streamTimer_->isActive())
        streamTimer_->start();
}

// A Picard round replaced the iterate: redraw (coalesced like streamed frames).
void TrajectoryView::onFramesReplaced(int)
{
    redraw_ = true;
    if (!streamTimer_->isActive())
        streamTimer_->start();
}

void TrajectoryView::followStream()
{
    const int last = document_->frameCount() - 1;
    timeline_->setFrameCount(document_->frameCount());
    const bool redraw = std::exchange(redraw_, false);
    if (last < 0)
        return;
    if (!follow_) {
        if (redraw)
            showFrame(std::min(frame_, last));
        return;
    }
    timeline_->setFrame(last);
    if (frame_ != last || redraw) // the timeline emits nothing when it already stood there
        showFrame(last);
}

void TrajectoryView::showFrame(int frame)
{
    if (frame < 0 || frame >= document_->frameCount())
        return;
    frame_ = frame;
    rendered_ = renderFrame(*document_, frame, kind_, 0, scaling_);
    const auto range = rangeText(rendered_);
    rangeLabel_->setText(range);
    // Min–max scaling changes what gray means: say so loudly, not in small print.
    const bool loud = rendered_.scaling == ValueScaling::MinMax && !range.isEmpty();
    if (loud != rangeLabel_->property("loud").toBool()) { // restyling costs: only on a change
        rangeLabel_->setProperty("loud", loud);
        rangeLabel_->setStyleSheet(loud ? QStringLiteral("QLabel { background: #b34700; color: white; "
                                                         "font-weight: bold; padding: 2px; }")
                                        : QString());
    }
    fork_->setForkPoint(document_->meta().direction == TrajectoryDirection::Reverse ? document_->t(frame) : -1);
    canvas_->setImage(rendered_.image);
    canvas_->setNote(rendered_.note);
    canvas_->setColourScale(rendered_.scale); // ε̂ and Δ: what their gray levels mean
    if (!rendered_.note.isEmpty() && kind_ != FrameKind::State)
        runner_->requestEstimate(frame); // forward frames carry no x̂0: ask the model
    refreshInspector();
    Q_EMIT frameShown(frame);
}

QString TrajectoryView::frameLabel(int frame) const
{
    if (frame < 0 || frame >= document_->frameCount())
        return tr("no frames");
    return tr("t = %1 / %2  (frame %3 / %4)")
        .arg(document_->t(frame))
        .arg(document_->steps())
        .arg(frame + 1)
        .arg(document_->frameCount());
}

void TrajectoryView::onHovered(QPoint gridPixel)
{
    const auto pixel = gridPixel.x() < 0 ? std::nullopt : rendered_.grid.locate(gridPixel);
    if (!pixel)
        return; // keep the last readout while the mouse crosses gaps
    inspect(pixel->sample, pixel->x, pixel->y);
}

void TrajectoryView::inspect(int sample, int x, int y)
{
    inspected_ = {sample, x, y};
    refreshInspector();
}

void TrajectoryView::refreshInspector()
{
    if (rendered_.grid.count == 0 && !rendered_.image.isNull()) { // a scatter plot of 2D points: no pixels
        inspector_->showUnavailable(tr("2-D points: the plot shows the whole batch, there is no pixel to inspect"));
        canvas_->setMarkers({});
        return;
    }
    if (inspected_.sample < 0 || inspected_.sample >= rendered_.grid.count)
        return;
    inspector_->show(document_->readout(frame_, inspected_.sample, inspected_.y, inspected_.x));
    canvas_->setMarkers({rendered_.grid.tileOrigin(inspected_.sample) + QPoint(inspected_.x, inspected_.y)});
}

void TrajectoryView::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Left: timeline_->stepBy(-1); break;
    case Qt::Key_Right: timeline_->stepBy(1); break;
    case Qt::Key_Space: timeline_->togglePlay(); break;
    case Qt::Key_Home: timeline_->first(); break;
    case Qt::Key_End: timeline_->last(); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

} // namespace ds
