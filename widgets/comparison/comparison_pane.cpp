#include "comparison_pane.h"

#include "widgets/common/elided_label.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/sampler_settings_editor.h"
#include "widgets/common/tensor_image.h"
#include "widgets/engine/job_channel.h"
#include "widgets/engine/job_progress.h"
#include "widgets/engine/model_session.h"
#include "widgets/engine/sampling_job.h"
#include "widgets/engine/sampling_run.h"
#include "grid_layout.h"

#include "core/denoisers/denoiser.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <QCheckBox>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <utility>

namespace ds {
namespace {

constexpr int64_t kPaneFrameBudget = int64_t(256) << 20; // bytes of frames one pane keeps
constexpr int kEditDebounceMs = 300;

// λ as the footer prints it: two decimals, a true minus sign, +∞ for the samples.
QString lambdaText(double lambda)
{
    if (std::isnan(lambda))
        return QStringLiteral("?");
    if (std::isinf(lambda))
        return lambda > 0 ? QStringLiteral("+∞") : QStringLiteral("−∞");
    return QString::number(lambda, 'f', 2).replace(QLatin1Char('-'), QChar(0x2212));
}

} // namespace

ComparisonPane::ComparisonPane(QWidget* parent) : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    title_ = new QLabel;
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    follow_ = new QCheckBox(tr("σ toggle"));
    follow_->setToolTip(tr("the stochastic-σ toggle above applies to this pane"));
    auto* remove = new QToolButton;
    remove->setText(QStringLiteral("×"));
    remove->setToolTip(tr("remove this pane"));
    editor_ = new SamplerSettingsEditor(SamplerSettingsEditor::Layout::Form);
    canvas_ = new ImageCanvas;
    stats_ = new ElidedLabel;
    metricLabel_ = new ElidedLabel;
    noise_ = new ElidedLabel;
    progress_ = new JobProgress;
    run_ = new SamplingRun(kPaneFrameBudget, this);
    editTimer_ = new QTimer(this);
    editTimer_->setSingleShot(true);
    editTimer_->setInterval(kEditDebounceMs);

    auto* header = new QHBoxLayout;
    header->addWidget(title_, 1);
    header->addWidget(follow_);
    header->addWidget(remove);
    auto* column = new QVBoxLayout(this);
    column->addLayout(header);
    column->addWidget(editor_);
    column->addWidget(canvas_, 1);
    column->addWidget(stats_);
    column->addWidget(metricLabel_);
    column->addWidget(noise_);
    column->addWidget(progress_);

    connect(remove, &QToolButton::clicked, this, &ComparisonPane::removeRequested);
    connect(editor_, &SamplerSettingsEditor::changed, editTimer_, qOverload<>(&QTimer::start));
    connect(editTimer_, &QTimer::timeout, this, &ComparisonPane::settingsEdited);
    connect(editor_, &SamplerSettingsEditor::rowsChanged, this, &ComparisonPane::editorRowsChanged);
    connect(progress_, &JobProgress::cancelRequested, this, &ComparisonPane::cancel);
    connect(run_, &SamplingRun::frame, this, &ComparisonPane::onFrame);
    connect(run_, &SamplingRun::progress, progress_, &JobProgress::setProgress);
    connect(run_, &SamplingRun::finished, this, &ComparisonPane::onFinished);
    connect(canvas_, &ImageCanvas::clicked, this, &ComparisonPane::onCanvasClicked);
    connect(run_, &SamplingRun::failed, this, [this](const QString& message) {
        progress_->finish(tr("failed: %1").arg(message)); // elides; the whole text is its tooltip
        Q_EMIT runFinished();
    });
    updateStats();
    updateNoise();
}

ComparisonPane::~ComparisonPane() { run_->abandon(); }

bool ComparisonPane::running() const { return run_->running() || bool(pendingRun_); }
QStringList ComparisonPane::offeredSamplers() const { return editor_->samplers(); }
QString ComparisonPane::messageText() const { return progress_->message(); }
int ComparisonPane::editorHeight() const { return editor_->sizeHint().height(); }
void ComparisonPane::setEditorMinimumHeight(int height) { editor_->setMinimumHeight(height); }

void ComparisonPane::fitTo(const Denoiser& model, bool opened)
{
    auto s = fitToModel(settings(), model); // before the list changes: a sampler that does not fit takes the model's defaults
    editor_->setMaxSteps(int(model.schedule().steps()));
    editor_->setSamplers(samplersFor(model));
    if (opened && !dataStartReason(model).isEmpty())
        s.start = QStringLiteral("data");
    editor_->setSettings(s);
}

SamplerSettings ComparisonPane::settings() const { return editor_->settings(); }
void ComparisonPane::setSettings(const SamplerSettings& s) { editor_->setSettings(s); }
bool ComparisonPane::followsSigmaToggle() const { return follow_->isChecked(); }
void ComparisonPane::setFollowsSigmaToggle(bool follow) { follow_->setChecked(follow); }
void ComparisonPane::setTitle(const QString& title) { title_->setText(title); }
void ComparisonPane::setAccent(const QColor& colour)
{
    title_->setStyleSheet(QStringLiteral("color: %1;").arg(colour.name()));
}
void ComparisonPane::setMaxSteps(int T) { editor_->setMaxSteps(T); }

// A pane's own model (a DNM or pixel-aware checkpoint beside the DDPM) opens on the engine
// thread; the run starts once it is there.
ModelSession* ComparisonPane::paneModel(ModelSession& shared, const QString& spec)
{
    if (spec.isEmpty())
        return &shared;
    if (!ownModel_) {
        ownModel_ = new ModelSession(shared.engine(), this);
        ownModel_->setProbeProgram(shared.probeProgram());
        connect(ownModel_, &ModelSession::opened, this, [this] {
            modelProblem_.clear();
            fitTo(*ownModel_->denoiser(), true);
            // Out of the member first: run() resets pendingRun_, which would destroy the
            // lambda (and the arguments it holds) while it runs.
            if (auto pending = std::exchange(pendingRun_, nullptr))
                pending();
        });
        connect(ownModel_, &ModelSession::openFailed, this, [this](const QString&, const QString& message) {
            pendingRun_ = nullptr;
            modelProblem_ = message;
            progress_->finish(tr("model failed"));
            updateStats();
        });
    }
    if (ownSpec_ != spec) {
        ownSpec_ = spec;
        ownModel_->open(spec);
    }
    return ownModel_;
}

void ComparisonPane::run(ModelSession& shared, int batch, uint64_t seed, const SampleMetric& metric,
                         std::vector<SamplingMember>* together)
{
    auto& model = *paneModel(shared, settings().model);
    if (model.loading() || !model.hasModel()) { // runs when the pane's model has opened
        pendingRun_ = [this, &shared, batch, seed, metric] { run(shared, batch, seed, metric); };
        return;
    }
    pendingRun_ = nullptr;
    auto denoiser = model.denoiser();
    if (!denoiser)
        return;
    fitTo(*denoiser); // the shared model, or the pane's own: its samplers only
    const auto& info = denoiser->info();
    range_ = info.range;
    T_ = info.schedule.T;
    metric_ = metric;
    dataset_ = info.dataset;
    summary_ = {};
    metricText_.clear(); // the last run's score must not sit beside the new settings
    const auto s = settings();
    progress_->start(s.label(), s.options.steps);
    bool started = false;
    if (together && &model == &shared && canShareCalls(s.sampler, *denoiser)) {
        auto member = run_->prepare(denoiser, s, batch, seed);
        if (member)
            together->push_back(std::move(*member));
        started = bool(member);
    } else {
        started = run_->start(model.engine(), denoiser, s, batch, seed);
    }
    if (started) {
        trajectory_ = Trajectory(Trajectory::Storage::Float16);
        lambda_.clear();
        nfe_.clear();
        shown_ = -1;
        denoiser_ = denoiser;
    }
    updateStats();
    updateNoise();
}

void ComparisonPane::cancel()
{
    if (!run_->running())
        return;
    run_->abandon(); // drop what the stopped run still sends
    progress_->finish(tr("cancelled"));
}

// A step's x̂0 was computed from the frame before it (Trajectory::appendAfterStep), as the
// pixel probe and `diffscope-cli probe` read it.
void ComparisonPane::onFrame(const FramePacket& p)
{
    trajectory_.appendAfterStep(p.t, p.x, p.x0);
    recordAxes(p);
    showAt(axis_, axisValue_);
    if (trajectory_.size() == 1)
        drawMarker(); // the new run's batch may have another size
    Q_EMIT framesChanged();
}

// λ and passes of the new frame; per-pixel λ needs the frame's x̂0, so the previous frame's
// λ is known once this packet brings it.
void ComparisonPane::recordAxes(const FramePacket& p)
{
    const auto& schedule = denoiser_->schedule();
    if (schedule.perPixel() && p.x0.defined() && !lambda_.empty())
        lambda_.back() = frameLogSnr(schedule, trajectory_.t(trajectory_.size() - 2), p.x0);
    lambda_.push_back(schedule.perPixel() && p.t > 0 ? std::numeric_limits<double>::quiet_NaN()
                                                     : frameLogSnr(schedule, p.t));
    const auto log = run_->log();
    nfe_.push_back(log ? log->framePasses(trajectory_.size() - 1) : -1);
}

void ComparisonPane::onFinished(const RunSummary& s)
{
    summary_ = s;
    metricText_.clear();
    if (metric_.compute && !s.cancelled && s.samples.defined()) { // scored off the UI thread
        metricText_ = tr("scoring…");
        auto compute = metric_.compute;
        const auto samples = s.samples;
        const auto range = range_;
        const auto dataset = dataset_;
        const auto ticket = run_->ticket();
        auto* watcher = new QFutureWatcher<std::optional<QString>>(this);
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, ticket] {
            watcher->deleteLater();
            if (ticket != run_->ticket())
                return; // a newer run owns the label
            const auto text = watcher->result();
            metricText_ = text ? *text : QString();
            updateStats();
        });
        watcher->setFuture(QtConcurrent::run([=]() -> std::optional<QString> {
            try {
                return compute(samples, range, dataset);
            } catch (const std::exception& e) {
                return QStringLiteral("metric failed: %1").arg(QString::fromStdString(ds::userMessage(e)));
            }
        }));
    }
    progress_->finish();
    updateStats();
    updateNoise();
    showAt(axis_, axisValue_);
    Q_EMIT framesChanged();
    Q_EMIT runFinished();
}

double ComparisonPane::frameValue(FrameAxis axis, int64_t frame) const
{
    if (frame < 0 || frame >= trajectory_.size())
        return std::numeric_limits<double>::quiet_NaN();
    switch (axis) {
    case FrameAxis::LogSnr: return lambda_[size_t(frame)];
    case FrameAxis::Nfe: return nfe_[size_t(frame)] < 0 ? double(frame) : double(nfe_[size_t(frame)]);
    case FrameAxis::Time: break;
    }
    return double(trajectory_.t(frame)) / double(T_);
}

void ComparisonPane::showAt(FrameAxis axis, double value)
{
    axis_ = axis;
    axisValue_ = value;
    if (trajectory_.empty())
        return;
    int64_t i = -1;
    if (axis == FrameAxis::Time) {
        i = trajectory_.nearestFrame(std::llround(value * double(T_)));
    } else {
        std::vector<double> values;
        for (int64_t f = 0; f < trajectory_.size(); ++f)
            values.push_back(frameValue(axis, f));
        i = nearestOnAxis(values, value);
    }
    if (i < 0) // the samples (λ = +∞) not there yet, or no λ known: the newest frame
        i = trajectory_.size() - 1;
    if (i != shown_) {
        shown_ = i;
        canvas_->setImage(batchImage(trajectory_.frame(i), range_));
    }
    updateStats();
}

std::shared_ptr<const Schedule> ComparisonPane::schedule() const
{
    return denoiser_ ? std::shared_ptr<const Schedule>(denoiser_, &denoiser_->schedule()) : nullptr;
}

void ComparisonPane::setSharedNoisePath(bool shared)
{
    run_->setSharedNoisePath(shared);
    updateNoise();
}

QString ComparisonPane::noiseText() const { return noise_->text(); }

// What the last run's noise was: the shared path, the seed's own stream, or none at all.
void ComparisonPane::updateNoise()
{
    const auto log = run_->log();
    const auto n = log ? log->noise() : SamplingLog::Noise{};
    if (!n.done) {
        noise_->setText(run_->sharedNoisePath() ? tr("noise: shared path (where the sampler allows)")
                                                : tr("noise: the seed's own stream"));
        return;
    }
    if (n.pathDraws + n.offPathDraws + n.outsideDraws == 0)
        noise_->setText(tr("noise: none (deterministic after x_T)"));
    else if (!n.sharedPath)
        noise_->setText(tr("noise: the seed's own stream"));
    else if (n.outsideDraws > 0)
        noise_->setText(tr("noise: own stream, not the shared path (this sampler draws all its noise before the steps)"));
    else if (n.offPathDraws > 0)
        noise_->setText(tr("noise: shared path for %1 draws; %2 extra draws in steps come from the seed")
                            .arg(n.pathDraws)
                            .arg(n.offPathDraws));
    else
        noise_->setText(tr("noise: shared path (%1 steps)").arg(n.pathDraws));
}

void ComparisonPane::onCanvasClicked(QPoint pixel)
{
    if (trajectory_.empty() || pixel.x() < 0)
        return;
    const auto x = trajectory_.frame(std::max<int64_t>(shown_, 0));
    if (x.size(2) == 1 && x.size(3) == 1)
        return; // 2-D points: a scatter plot, no pixels
    const auto grid = GridLayout::forBatch(int(x.size(0)), int(x.size(2)), int(x.size(3)));
    if (const auto hit = grid.locate(pixel))
        Q_EMIT pixelClicked(hit->sample, hit->x, hit->y);
}

void ComparisonPane::setProbeMarker(const std::optional<ProbeRegion>& region)
{
    marker_ = region;
    drawMarker();
}

void ComparisonPane::drawMarker()
{
    QVector<QPoint> pixels;
    if (marker_ && !trajectory_.empty()) {
        const auto x = trajectory_.frame(0);
        const auto grid = GridLayout::forBatch(int(x.size(0)), int(x.size(2)), int(x.size(3)));
        if (marker_->sample < grid.count) {
            const auto origin = grid.tileOrigin(int(marker_->sample));
            for (int64_t dy = 0; dy < marker_->height; ++dy)
                for (int64_t dx = 0; dx < marker_->width; ++dx)
                    if (marker_->y + dy < x.size(2) && marker_->x + dx < x.size(3))
                        pixels.append(origin + QPoint(int(marker_->x + dx), int(marker_->y + dy)));
        }
    }
    canvas_->setMarkers(pixels, QVector<QColor>(pixels.size(), QColor(255, 200, 0)));
}

QString ComparisonPane::positionText() const
{
    const auto t = shown_ < 0 ? int64_t(0) : trajectory_.t(shown_);
    switch (axis_) {
    case FrameAxis::LogSnr: return tr("λ = %1 (t = %2)").arg(lambdaText(frameValue(axis_, shown_))).arg(t);
    case FrameAxis::Nfe: return tr("NFE %1 (t = %2)").arg(frameValue(axis_, shown_)).arg(t);
    case FrameAxis::Time: break;
    }
    return tr("t = %1").arg(t);
}

QString ComparisonPane::statsText() const { return stats_->text() + QStringLiteral(" · ") + metricLabel_->text(); }

void ComparisonPane::updateStats()
{
    if (!modelProblem_.isEmpty())
        metricLabel_->setText(tr("model failed: %1").arg(modelProblem_));
    else
        metricLabel_->setText(metricText_.isEmpty() ? metric_.name + QStringLiteral(" —") : metricText_);
    if (summary_.completedSteps == 0) {
        stats_->setText(settings().label());
        return;
    }
    const auto log = run_->log();
    const int group = log ? log->groupSize() : 1;
    // In a group the wall time is the pane's run among the others: calls shared by all of them
    // (last, so that it is what elides in a narrow pane).
    const auto shared = group > 1 ? tr(" · calls shared by %1 panes").arg(group) : QString();
    stats_->setText(tr("%1 · wall %2 s · %3 network passes in %4 rounds%5")
                        .arg(positionText())
                        .arg(summary_.seconds, 0, 'f', 2)
                        .arg(summary_.passes)
                        .arg(summary_.rounds)
                        .arg(shared));
}

} // namespace ds
