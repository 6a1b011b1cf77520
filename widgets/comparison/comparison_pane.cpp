#include "comparison_pane.h"

#include "widgets/common/elided_label.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/sampler_settings_editor.h"
#include "widgets/common/tensor_image.h"
#include "widgets/engine/job_channel.h"
#include "widgets/engine/job_progress.h"
#include "widgets/engine/model_session.h"
#include "widgets/engine/sampling_run.h"

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
#include <utility>

namespace ds {
namespace {

constexpr int64_t kPaneFrameBudget = int64_t(256) << 20; // bytes of frames one pane keeps
constexpr int kEditDebounceMs = 300;

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
    column->addWidget(progress_);

    connect(remove, &QToolButton::clicked, this, &ComparisonPane::removeRequested);
    connect(editor_, &SamplerSettingsEditor::changed, editTimer_, qOverload<>(&QTimer::start));
    connect(editTimer_, &QTimer::timeout, this, &ComparisonPane::settingsEdited);
    connect(editor_, &SamplerSettingsEditor::rowsChanged, this, &ComparisonPane::editorRowsChanged);
    connect(progress_, &JobProgress::cancelRequested, this, &ComparisonPane::cancel);
    connect(run_, &SamplingRun::frame, this, &ComparisonPane::onFrame);
    connect(run_, &SamplingRun::progress, progress_, &JobProgress::setProgress);
    connect(run_, &SamplingRun::finished, this, &ComparisonPane::onFinished);
    connect(run_, &SamplingRun::failed, this, [this](const QString& message) {
        progress_->finish(tr("failed: %1").arg(message)); // elides; the whole text is its tooltip
        Q_EMIT runFinished();
    });
    updateStats();
}

ComparisonPane::~ComparisonPane() { run_->abandon(); }

bool ComparisonPane::running() const { return run_->running(); }
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

void ComparisonPane::run(ModelSession& shared, int batch, uint64_t seed, const SampleMetric& metric)
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
    if (run_->start(model.engine(), denoiser, s, batch, seed))
        trajectory_ = Trajectory(Trajectory::Storage::Float16);
    updateStats();
}

void ComparisonPane::cancel()
{
    if (!run_->running())
        return;
    run_->abandon(); // drop what the stopped run still sends
    progress_->finish(tr("cancelled"));
}

void ComparisonPane::onFrame(const FramePacket& p)
{
    trajectory_.append(p.t, p.x, p.x0);
    showTime(time_);
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
    showTime(time_);
    Q_EMIT runFinished();
}

void ComparisonPane::showTime(double time)
{
    time_ = time;
    if (trajectory_.empty())
        return;
    const auto i = trajectory_.nearestFrame(std::llround(time * double(T_)));
    canvas_->setImage(batchImage(trajectory_.frame(i), range_));
    updateStats();
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
    const auto i = trajectory_.empty() ? -1 : trajectory_.nearestFrame(std::llround(time_ * double(T_)));
    stats_->setText(tr("t = %1 · wall %2 s · %3 network passes in %4 rounds")
                        .arg(i < 0 ? 0 : trajectory_.t(i))
                        .arg(summary_.seconds, 0, 'f', 2)
                        .arg(summary_.passes)
                        .arg(summary_.rounds));
}

} // namespace ds
