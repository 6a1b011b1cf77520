#include "fork_view.h"

#include "trajectory_document.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/sampler_settings_editor.h"
#include "widgets/engine/job_progress.h"
#include "widgets/engine/model_session.h"

#include "core/denoisers/denoiser.h"

#include <ATen/ATen.h>

#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

namespace ds {
namespace {

TrajectoryMeta metaOf(const ParentSpec& p, const QString& description)
{
    const auto& info = p.denoiser->info();
    return {TrajectoryDirection::Reverse, info.schedule, info.range, {}, description};
}

QString runLabel(const ParentSpec& p) { return p.settings.label() + QObject::tr(" · seed %1").arg(p.seed); }

} // namespace

ForkView::ForkView(ModelSession& model, QWidget* parent)
    : QWidget(parent), model_(model), parentDoc_(new TrajectoryDocument(this)), forkDoc_(new TrajectoryDocument(this))
{
    auto* split = new QSplitter;
    split->addWidget(makeOptions());
    split->addWidget(makeImages());
    split->setStretchFactor(1, 1);
    split->setCollapsible(0, false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    setParentRun({});
}

ForkView::~ForkView() { stop_.requestStop(); }

QWidget* ForkView::makeOptions()
{
    auto* box = new QGroupBox(tr("Fork options (from the fork point on)"));
    auto* layout = new QVBoxLayout(box);
    editor_ = new SamplerSettingsEditor(SamplerSettingsEditor::Layout::Form);
    editor_->setModelFieldShown(false);
    if (auto* start = editor_->field(QStringLiteral("start")))
        start->setEnabled(false); // the fork starts from the parent's state, not from noise or data
    button_ = new QPushButton(tr("Fork"));
    button_->setToolTip(tr("continue the run from the frame shown in Frames with these options"));
    progress_ = new JobProgress;
    status_ = new QLabel;
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(editor_);
    layout->addWidget(button_);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    layout->addStretch(1);
    connect(button_, &QPushButton::clicked, this, [this] { fork(); });
    connect(progress_, &JobProgress::cancelRequested, this, &ForkView::cancel);
    return box;
}

QWidget* ForkView::makeImages()
{
    auto* page = new QWidget;
    auto* grid = new QGridLayout(page);
    grid->setContentsMargins(0, 0, 0, 0);
    parentCanvas_ = new ImageCanvas;
    forkCanvas_ = new ImageCanvas;
    parentLabel_ = new QLabel(tr("parent"));
    forkLabel_ = new QLabel(tr("fork"));
    for (auto* l : {parentLabel_, forkLabel_})
        l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setEnabled(false);
    sliderLabel_ = new QLabel;
    chart_ = new PlotWidget;
    chart_->setAxisTitles(tr("t"), tr("RMS drift"));
    chart_->setTitle(tr("Drift against t"));
    chart_->setMinimumHeight(220);
    grid->addWidget(parentLabel_, 0, 0);
    grid->addWidget(forkLabel_, 0, 1);
    grid->addWidget(parentCanvas_, 1, 0);
    grid->addWidget(forkCanvas_, 1, 1);
    grid->addWidget(slider_, 2, 0, 1, 2);
    grid->addWidget(sliderLabel_, 3, 0, 1, 2);
    grid->addWidget(chart_, 4, 0, 1, 2);
    grid->setRowStretch(1, 3);
    grid->setRowStretch(4, 2);
    connect(slider_, &QSlider::valueChanged, this, &ForkView::showFrame);
    return page;
}

void ForkView::setParentRun(const ParentSpec& parent)
{
    stop_.requestStop();
    ++ticket_;
    running_ = false;
    parent_ = parent;
    recorded_ = {};
    fork_.reset();
    shown_ = -1;
    slider_->setEnabled(false);
    parentCanvas_->setImage({});
    forkCanvas_->setImage({});
    chart_->setSeries({});
    sliderLabel_->clear();
    if (parent.valid()) {
        editor_->setMaxSteps(int(parent.denoiser->schedule().steps()));
        editor_->setSamplers(samplersFor(*parent.denoiser));
        editor_->setSettings(parent.settings);
        status_->setText(tr("Parent: %1. Pick a frame in Frames, change the options, then Fork.").arg(runLabel(parent)));
    } else {
        status_->setText(tr("Run a reverse trajectory first: a fork continues a finished run."));
    }
    button_->setEnabled(parent.valid());
    progress_->finish();
}

void ForkView::setRecorded(const RecordedParent& recorded)
{
    if (parent_.valid() && recorded.run)
        recorded_ = recorded;
}

void ForkView::setForkPoint(int64_t t)
{
    forkT_ = t;
    button_->setText(t >= 0 ? tr("Fork at t = %1").arg(t) : tr("Fork"));
}

void ForkView::setScaling(ValueScaling scaling)
{
    scaling_ = scaling;
    showFrame(shown_);
}

bool ForkView::fork()
{
    if (!parent_.valid() || running_ || forkT_ < 0) {
        Q_EMIT failed(running_ ? tr("a fork is running") : tr("run a reverse trajectory first, then pick a frame"));
        return false;
    }
    stop_ = StopToken();
    const auto ticket = ++ticket_;
    running_ = true;
    ForkRequest request{parent_, recorded_, forkT_, editor_->settings()};
    progress_->start(recorded_.run ? tr("forking at t = %1").arg(forkT_)
                                   : tr("replaying the parent, then forking at t = %1").arg(forkT_),
                     recorded_.run ? 0 : parent_.settings.options.steps);
    postForkJob(
        model_.engine(), request, this,
        [this, ticket](qint64 done, qint64 total) {
            if (ticket == ticket_)
                progress_->setProgress(done, total);
        },
        [this, ticket](const ForkOutcome& o) { onDone(o, ticket); }, stop_);
    return true;
}

void ForkView::cancel()
{
    if (running_)
        stop_.requestStop();
}

void ForkView::onDone(const ForkOutcome& o, quint64 ticket)
{
    if (ticket != ticket_)
        return;
    running_ = false;
    if (o.parent.run)
        recorded_ = o.parent;
    if (!o.fork) {
        const auto message = o.cancelled ? tr("fork cancelled") : tr("fork failed: %1").arg(o.error);
        progress_->finish(message);
        Q_EMIT failed(message);
        return;
    }
    fork_ = o.fork;
    showFork();
    progress_->finish(tr("forked after step %1").arg(fork_->at));
    Q_EMIT forked(summary());
}

void ForkView::showFork()
{
    const auto forkSettings = editor_->settings();
    parentDoc_->setTrajectory(recorded_.run->trajectory, metaOf(parent_, runLabel(parent_)));
    forkDoc_->setTrajectory(fork_->run.trajectory, metaOf(parent_, forkSettings.label()));
    parentLabel_->setText(tr("parent: %1").arg(runLabel(parent_)));
    forkLabel_->setText(tr("fork after step %1: %2").arg(fork_->at).arg(forkSettings.label()));
    status_->setText(summary());
    const int last = forkDoc_->frameCount() - 1;
    slider_->blockSignals(true);
    slider_->setRange(int(fork_->at), last);
    slider_->setValue(last);
    slider_->blockSignals(false);
    slider_->setEnabled(true);
    plotDrift();
    showFrame(last);
}

QString ForkView::summary() const
{
    if (!fork_)
        return {};
    const auto n = fork_->drift.size(0);
    int64_t lastX0 = n - 1; // the final sample has no x̂0 of its own: the last step that made one
    while (lastX0 > 0 && !std::isfinite(fork_->driftX0[lastX0].item<double>()))
        --lastX0;
    return tr("fork after step %1 (t = %2): final drift %3 RMS; x̂0 drift %4 at t = %5")
        .arg(fork_->at)
        .arg(fork_->t[size_t(fork_->at)])
        .arg(fork_->drift[n - 1].item<double>(), 0, 'g', 3)
        .arg(fork_->driftX0[lastX0].item<double>(), 0, 'g', 3)
        .arg(fork_->t[size_t(lastX0)]);
}

void ForkView::plotDrift()
{
    PlotSeries x{tr("x_t"), {}, QColor(31, 119, 180)};
    PlotSeries x0{tr("x̂0"), {}, QColor(214, 39, 40), Qt::DashLine};
    x.legend = tr("drift of x_t: RMS(x_fork − x_parent)");
    x0.legend = tr("drift of x̂0");
    bool positive = false;
    for (int64_t i = fork_->at; i < fork_->drift.size(0); ++i)
        positive = positive || fork_->drift[i].item<double>() > 0 || fork_->driftX0[i].item<double>() > 0;
    // On a log axis the fork frame's x_t drift (0 by construction) would sit on the floor as if
    // it were a value: the curves start one step later there.
    for (int64_t i = positive ? fork_->at + 1 : fork_->at; i < fork_->drift.size(0); ++i) {
        const double t = double(fork_->t[size_t(i)]), a = fork_->drift[i].item<double>(), b = fork_->driftX0[i].item<double>();
        x.points.append({t, a});
        if (std::isfinite(b))
            x0.points.append({t, b});
    }
    // Drifts span decades (a kick at the fork that grows or dies out): log, unless all are zero.
    chart_->setLogY(positive);
    chart_->setAxisTitles(tr("t"), positive ? tr("RMS drift (log)") : tr("RMS drift"));
    chart_->setTitle(positive ? tr("Drift against t") : tr("Drift against t: zero, the fork reproduces its parent"));
    chart_->setSeries({x, x0});
}

void ForkView::showFrame(int frame)
{
    if (!fork_ || frame < 0 || frame >= forkDoc_->frameCount())
        return;
    shown_ = frame;
    const int64_t t = forkDoc_->t(frame);
    const int p = int(parentDoc_->trajectory().nearestFrame(t));
    const auto mine = renderFrame(*forkDoc_, frame, FrameKind::State, 0, scaling_);
    const auto theirs = renderFrame(*parentDoc_, p, FrameKind::State, 0, scaling_);
    forkCanvas_->setImage(mine.image);
    forkCanvas_->setColourScale(mine.scale);
    parentCanvas_->setImage(theirs.image);
    parentCanvas_->setColourScale(theirs.scale);
    chart_->setMarkerX(double(t));
    sliderLabel_->setText(tr("t = %1 · drift %2 (RMS) · %3")
                              .arg(t)
                              .arg(fork_->drift[frame].item<double>(), 0, 'g', 3)
                              .arg(rangeText(mine)));
}

} // namespace ds
