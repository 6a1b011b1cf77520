#include "trajectory_view.h"

#include "pixel_inspector.h"
#include "timeline_bar.h"
#include "trajectory_controls.h"
#include "trajectory_document.h"
#include "trajectory_runner.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/sampler_settings_editor.h"
#include "widgets/engine/job_progress.h"
#include "widgets/engine/model_session.h"

#include "core/data/point_cloud_image.h"
#include "core/denoisers/denoiser.h"

#include <QGroupBox>
#include <QKeyEvent>
#include <QLabel>
#include <QSplitter>
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
    auto* split = new QSplitter;
    split->addWidget(canvas_);
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

TrajectoryView::~TrajectoryView() { runner_->cancel(); }

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
    rendered_ = renderFrame(*document_, frame, kind_);
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
