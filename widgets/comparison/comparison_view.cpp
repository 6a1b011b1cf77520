#include "comparison_view.h"

#include "comparison_pane.h"
#include "probe_panel.h"
#include "widgets/common/stochastic_sigma_bar.h"
#include "widgets/engine/model_session.h"
#include "widgets/engine/sampling_job.h"

#include "core/data/point_cloud_image.h"
#include "core/denoisers/denoiser.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ds {
namespace {

constexpr int kTimeTicks = 1000;
constexpr int kCoalesceMs = 40;
constexpr double kInf = std::numeric_limits<double>::infinity();

SamplerSettings preset(const QString& sampler, int steps) { return SamplerSettings::of(sampler, steps); }

} // namespace

ComparisonView::ComparisonView(ModelSession& model, QWidget* parent) : QWidget(parent), model_(model)
{
    sigma_ = new StochasticSigmaBar;
    paneRow_ = new QHBoxLayout;
    probe_ = new ProbePanel;
    probeTimer_ = new QTimer(this);
    probeTimer_->setSingleShot(true);
    probeTimer_->setInterval(kCoalesceMs);
    spanTimer_ = new QTimer(this);
    spanTimer_->setSingleShot(true);
    spanTimer_->setInterval(kCoalesceMs);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeTopRow());
    layout->addWidget(sigma_);
    auto* panes = new QWidget;
    auto* panesLayout = new QVBoxLayout(panes);
    panesLayout->setContentsMargins(0, 0, 0, 0);
    panesLayout->addLayout(paneRow_, 1);
    panesLayout->addWidget(makeTimeRow());
    // The probe beside the panes, its charts stacked: the panes keep their height (the
    // images), the charts get room for their ticks and legend.
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(panes);
    split->addWidget(probe_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    layout->addWidget(split, 1);

    connect(probeTimer_, &QTimer::timeout, this, &ComparisonView::reprobe);
    connect(spanTimer_, &QTimer::timeout, this, [this] {
        syncSlider(); // the λ / NFE span grew with the runs: the value keeps its place
        timeLabel_->setText(axisLabel());
    });
    connect(probe_, &ProbePanel::patchChanged, this, &ComparisonView::reprobe);
    connect(probe_, &ProbePanel::markersChanged, this, [this] {
        for (auto* p : panes_)
            p->setProbeMarker(probe_->region());
    });

    // Defaults: the stochastic reference (250 steps: minutes, not the better part of an hour, on
    // a CPU UNet), a deterministic few-step sampler and a fast ODE solver.
    addPane(preset("ddpm", 250), true);
    addPane(preset("ddim", 50), false);
    addPane(preset("dpmpp-2m", 20), false);
    applySigmaToggle(); // no model yet: only aligns the following panes with the toggle
    setTime(0);

    connect(sigma_, &StochasticSigmaBar::changed, this, &ComparisonView::applySigmaToggle);
    connect(&model_, &ModelSession::opened, this, [this] {
        for (auto* p : panes_)
            if (p->settings().model.isEmpty()) // panes with a model of their own fit to that
                p->fitTo(*model_.denoiser(), true);
        const bool points = isPointShape(model_.denoiser()->info().shape); // a cloud needs hundreds
        const QSignalBlocker quiet(batch_);
        batch_->setMaximum(points ? 4096 : 64);
        if (points && batch_->value() < 256)
            batch_->setValue(512);
        stale_ = true;
        if (isVisible())
            runAll();
    });
}

// Align by [t/T | log-SNR | NFE]   x_T ———slider——— samples   value. Every axis runs from
// the noisy end (left, x_T) to the samples (right).
QWidget* ComparisonView::makeTimeRow()
{
    axisBox_ = new QComboBox;
    axisBox_->addItem(tr("t/T"), int(FrameAxis::Time));
    axisBox_->addItem(tr("log-SNR λ"), int(FrameAxis::LogSnr));
    axisBox_->addItem(tr("network evaluations"), int(FrameAxis::Nfe));
    axisBox_->setToolTip(tr("which frame each pane shows: the one nearest the slider's t/T, noise level "
                            "λ = log(ᾱ/(1−ᾱ)), or number of network evaluations"));
    time_ = new QSlider(Qt::Horizontal);
    time_->setObjectName(QStringLiteral("alignSlider"));
    time_->setRange(0, kTimeTicks);
    time_->setValue(kTimeTicks); // the right end, "samples"
    timeLabel_ = new QLabel;
    timeLabel_->setMinimumWidth(timeLabel_->fontMetrics().horizontalAdvance(QStringLiteral("λ = −10.00 (samples)")));
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Align by")));
    layout->addWidget(axisBox_);
    layout->addWidget(new QLabel(tr("x_T")));
    layout->addWidget(time_, 1);
    layout->addWidget(new QLabel(tr("samples")));
    layout->addWidget(timeLabel_);
    connect(time_, &QSlider::valueChanged, this, [this](int ticks) {
        value_ = valueAtTicks(ticks);
        showAxisValue();
    });
    connect(axisBox_, &QComboBox::currentIndexChanged, this,
            [this] { setAxis(FrameAxis(axisBox_->currentData().toInt())); });
    return row;
}

QWidget* ComparisonView::makeTopRow()
{
    seed_ = new QSpinBox;
    seed_->setRange(0, 1 << 30);
    seed_->setToolTip(tr("shared seed: every pane starts from this seed's x_T"));
    batch_ = new QSpinBox;
    batch_->setObjectName(QStringLiteral("batchBox"));
    batch_->setRange(1, 64);
    batch_->setValue(9);
    auto* run = new QPushButton(tr("Run all"));
    add_ = new QPushButton(tr("Add pane"));
    sharedNoise_ = new QCheckBox(tr("shared noise path"));
    sharedNoise_->setChecked(true);
    sharedNoise_->setToolTip(tr("stochastic panes add the same Brownian increments, summed over each pane's own "
                                "steps, so their differences are the method's, not the noise's"));
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Seed")));
    layout->addWidget(seed_);
    layout->addWidget(new QLabel(tr("Batch")));
    layout->addWidget(batch_);
    layout->addWidget(run);
    layout->addWidget(sharedNoise_);
    layout->addStretch(1);
    layout->addWidget(add_);
    connect(run, &QPushButton::clicked, this, &ComparisonView::runAll);
    connect(add_, &QPushButton::clicked, this, [this] { addPane(preset("ddim", 20)); });
    connect(sharedNoise_, &QCheckBox::toggled, this, &ComparisonView::setSharedNoisePath);
    connect(seed_, &QSpinBox::valueChanged, this, &ComparisonView::runAll);
    connect(batch_, &QSpinBox::valueChanged, this, &ComparisonView::runAll);
    return row;
}

ComparisonPane* ComparisonView::addPane(const SamplerSettings& settings, bool followSigma)
{
    if (panes_.size() >= kMaxPanes)
        return nullptr;
    auto* pane = new ComparisonPane;
    // A pane that follows the toggle starts with it applied, as if it had been there all along.
    pane->setSettings(followSigma ? sigma_->applied(settings) : settings);
    pane->setFollowsSigmaToggle(followSigma);
    pane->setSharedNoisePath(sharedNoise_->isChecked());
    pane->showAt(axis_, value_);
    pane->setProbeMarker(probe_->region());
    if (model_.hasModel() && settings.model.isEmpty())
        pane->fitTo(*model_.denoiser(), true);
    panes_.append(pane);
    paneRow_->addWidget(pane, 1);
    connect(pane, &ComparisonPane::settingsEdited, this, [this, pane] { runPane(pane); });
    connect(pane, &ComparisonPane::editorRowsChanged, this, &ComparisonView::alignEditors);
    connect(pane, &ComparisonPane::removeRequested, this, [this, pane] { removePane(int(panes_.indexOf(pane))); });
    connect(pane, &ComparisonPane::runFinished, this, [this] {
        if (!running())
            Q_EMIT allFinished();
    });
    connect(pane, &ComparisonPane::framesChanged, this, &ComparisonView::paneFramesChanged);
    connect(pane, &ComparisonPane::pixelClicked, this, &ComparisonView::probePixel);
    renumber();
    alignEditors();
    if (model_.hasModel() && isVisible())
        runPane(pane);
    Q_EMIT paneCountChanged(paneCount());
    return pane;
}

bool ComparisonView::removePane(int i)
{
    if (panes_.size() <= kMinPanes || i < 0 || i >= panes_.size())
        return false;
    auto* pane = panes_.takeAt(i);
    pane->cancel();
    pane->deleteLater();
    renumber();
    paneFramesChanged();
    alignEditors();
    Q_EMIT paneCountChanged(paneCount());
    return true;
}

// Every pane's settings form as tall as the tallest, so the images below them share one size
// (a DDPM pane shows two rows more than a DPM-Solver pane).
void ComparisonView::alignEditors()
{
    int tallest = 0;
    for (auto* p : panes_)
        tallest = std::max(tallest, p->editorHeight());
    for (auto* p : panes_)
        p->setEditorMinimumHeight(tallest);
}

void ComparisonView::renumber()
{
    for (int i = 0; i < panes_.size(); ++i) {
        panes_[i]->setTitle(tr("Pane %1").arg(i + 1));
        panes_[i]->setAccent(ProbePanel::paneColour(i));
    }
    updateButtons();
}

void ComparisonView::updateButtons() { add_->setEnabled(panes_.size() < kMaxPanes); }

QList<SamplerSettings> ComparisonView::paneSettings() const
{
    QList<SamplerSettings> out;
    for (auto* p : panes_)
        out.append(p->settings());
    return out;
}

void ComparisonView::setPaneSettings(const QList<SamplerSettings>& settings)
{
    if (settings.size() < kMinPanes || settings.size() > kMaxPanes)
        return;
    while (panes_.size() > settings.size())
        removePane(int(panes_.size()) - 1);
    for (int i = 0; i < settings.size(); ++i) {
        if (i < panes_.size())
            panes_[i]->setSettings(settings[i]);
        else
            addPane(settings[i]);
    }
}

void ComparisonView::runPane(ComparisonPane* pane) { runPanes({pane}); }

// A pane rerun on its own (an edit) joins no group already running: it is queued behind it.
void ComparisonView::runPanes(const QList<ComparisonPane*>& panes)
{
    if (!model_.hasModel())
        return;
    std::vector<SamplingMember> together;
    const bool share = batch_->value() <= shareCallsUpToBatch_;
    for (auto* p : panes)
        if (panes_.contains(p))
            p->run(model_, batch_->value(), uint64_t(seed_->value()), metric_, share ? &together : nullptr);
    const bool group = together.size() > 1;
    if (group)
        lastGroup_ = std::make_shared<SamplingGroupLog>();
    postSamplingGroup(model_.engine(), std::move(together), group ? lastGroup_ : nullptr);
}

void ComparisonView::runAll()
{
    if (!model_.hasModel())
        return;
    stale_ = false;
    runPanes(panes_);
}

bool ComparisonView::running() const
{
    for (auto* p : panes_)
        if (p->running())
            return true;
    return false;
}

void ComparisonView::applySigmaToggle()
{
    QList<ComparisonPane*> changed;
    for (auto* p : panes_) {
        if (!p->followsSigmaToggle())
            continue;
        const auto before = p->settings();
        const auto after = sigma_->applied(before);
        if (after == before)
            continue;
        p->setSettings(after);
        changed.append(p);
    }
    runPanes(changed); // live: applied() changes only what the panes' samplers read
}

double ComparisonView::time() const { return axis_ == FrameAxis::Time ? value_ : std::nan(""); }

void ComparisonView::setTime(double time)
{
    setAxis(FrameAxis::Time);
    setAxisValue(std::clamp(time, 0.0, 1.0));
}

void ComparisonView::setAxis(FrameAxis axis)
{
    if (axisBox_->currentData().toInt() != int(axis)) {
        axisBox_->setCurrentIndex(axisBox_->findData(int(axis))); // re-enters through the box
        return;
    }
    axis_ = axis;
    probe_->setAxis(axis);
    value_ = valueAtTicks(time_->value()); // the slider keeps its place on the new axis
    showAxisValue();
}

void ComparisonView::setAxisValue(double value)
{
    value_ = value;
    syncSlider();
    showAxisValue();
}

std::pair<double, double> ComparisonView::axisSpan() const
{
    if (axis_ == FrameAxis::Time)
        return {1.0, 0.0};
    double lo = kInf, hi = -kInf;
    for (auto* p : panes_)
        for (int64_t f = 0; f < p->trajectory().size(); ++f) {
            const double v = p->frameValue(axis_, f);
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    if (axis_ == FrameAxis::Nfe)
        return {0.0, std::max(1.0, std::isfinite(hi) ? hi : 1.0)};
    if (!std::isfinite(lo))
        return {-10.0, 10.0}; // no run yet
    return lo < hi ? std::pair{lo, hi} : std::pair{lo - 1, hi + 1};
}

// Ticks 0 … kTimeTicks, left (x_T) to right (samples). On λ the last tick is +∞ (the samples;
// the largest finite λ of any run sits one tick before it).
double ComparisonView::valueAtTicks(int ticks) const
{
    const auto [lo, hi] = axisSpan();
    if (axis_ == FrameAxis::LogSnr)
        return ticks >= kTimeTicks ? kInf : lo + (hi - lo) * double(ticks) / double(kTimeTicks - 1);
    return lo + (hi - lo) * double(ticks) / double(kTimeTicks);
}

int ComparisonView::ticksFor(double value) const
{
    const auto [lo, hi] = axisSpan();
    if (axis_ == FrameAxis::LogSnr) {
        if (value == kInf)
            return kTimeTicks;
        return int(std::clamp(std::lround((value - lo) / (hi - lo) * (kTimeTicks - 1)), 0L, long(kTimeTicks - 1)));
    }
    return int(std::clamp(std::lround((value - lo) / (hi - lo) * kTimeTicks), 0L, long(kTimeTicks)));
}

void ComparisonView::syncSlider()
{
    const QSignalBlocker quiet(time_);
    time_->setValue(ticksFor(value_));
}

QString ComparisonView::axisLabel() const
{
    switch (axis_) {
    case FrameAxis::LogSnr:
        return std::isinf(value_) ? tr("λ = +∞ (samples)")
                                  : tr("λ = %1").arg(QString::number(value_, 'f', 2).replace(QLatin1Char('-'), QChar(0x2212)));
    case FrameAxis::Nfe: return tr("NFE %1").arg(value_, 0, 'f', 0);
    case FrameAxis::Time: break;
    }
    return tr("t/T = %1").arg(value_, 0, 'f', 3);
}

void ComparisonView::showAxisValue()
{
    timeLabel_->setText(axisLabel());
    for (auto* p : panes_)
        p->showAt(axis_, value_);
    probe_->setMarker(value_);
}

void ComparisonView::paneFramesChanged()
{
    if (axis_ != FrameAxis::Time)
        spanTimer_->start();
    if (probe_->region())
        probeTimer_->start();
}

void ComparisonView::setSharedNoisePath(bool shared)
{
    if (sharedNoise_->isChecked() != shared) {
        sharedNoise_->setChecked(shared); // re-enters through toggled
        return;
    }
    for (auto* p : panes_)
        p->setSharedNoisePath(shared);
    runAll();
}

bool ComparisonView::sharedNoisePath() const { return sharedNoise_->isChecked(); }

void ComparisonView::probePixel(int sample, int x, int y)
{
    probe_->setPixel(sample, x, y);
    reprobe();
}

// Every pane's frames as they are now, read by the probe off the UI thread.
void ComparisonView::reprobe()
{
    if (!probe_->region())
        return;
    QList<ProbeSource> sources;
    QStringList names;
    for (int i = 0; i < panes_.size(); ++i) {
        auto* p = panes_[i];
        if (p->trajectory().empty() || !p->schedule())
            continue;
        const auto s = p->settings();
        auto sampler = s.sampler;
        if (names.contains(sampler))
            sampler += QStringLiteral("#%1").arg(i + 1); // two panes of one sampler stay apart in the CSV
        names.append(s.sampler);
        sources.append({tr("Pane %1 · %2, %3 steps").arg(i + 1).arg(s.sampler).arg(s.options.steps), sampler,
                        ProbePanel::paneColour(i),
                        p->trajectory(), p->schedule(), p->framePasses()});
    }
    probe_->probe(std::move(sources));
}

void ComparisonView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (stale_ && model_.hasModel())
        runAll();
}

} // namespace ds
