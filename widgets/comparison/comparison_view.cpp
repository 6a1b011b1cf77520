#include "comparison_view.h"

#include "comparison_pane.h"
#include "widgets/common/stochastic_sigma_bar.h"
#include "widgets/engine/model_session.h"

#include "core/data/point_cloud_image.h"
#include "core/denoisers/denoiser.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ds {
namespace {

constexpr int kTimeTicks = 1000;

SamplerSettings preset(const QString& sampler, int steps)
{
    SamplerSettings s;
    s.sampler = sampler;
    s.steps = steps;
    return s;
}

} // namespace

ComparisonView::ComparisonView(ModelSession& model, QWidget* parent) : QWidget(parent), model_(model)
{
    sigma_ = new StochasticSigmaBar;
    paneRow_ = new QHBoxLayout;
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeTopRow());
    layout->addWidget(sigma_);
    layout->addLayout(paneRow_, 1);
    auto* timeRow = new QHBoxLayout;
    timeRow->addWidget(new QLabel(tr("x_T")));
    timeRow->addWidget(time_, 1);
    timeRow->addWidget(new QLabel(tr("samples")));
    timeRow->addWidget(timeLabel_);
    layout->addLayout(timeRow);

    // Defaults: the stochastic reference, a deterministic few-step sampler and a fast ODE solver.
    addPane(preset("ddpm", 1000), true);
    addPane(preset("ddim", 50), false);
    addPane(preset("dpmpp-2m", 20), false);
    applySigmaToggle(); // no model yet: only aligns the following panes with the toggle
    setTime(0);

    connect(sigma_, &StochasticSigmaBar::changed, this, &ComparisonView::applySigmaToggle);
    connect(&model_, &ModelSession::opened, this, [this] {
        const int T = int(model_.denoiser()->schedule().steps());
        for (auto* p : panes_)
            p->setMaxSteps(T);
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

QWidget* ComparisonView::makeTopRow()
{
    seed_ = new QSpinBox;
    seed_->setRange(0, 1 << 30);
    seed_->setToolTip(tr("shared seed: every pane starts from this seed's x_T"));
    batch_ = new QSpinBox;
    batch_->setRange(1, 64);
    batch_->setValue(9);
    auto* run = new QPushButton(tr("Run all"));
    add_ = new QPushButton(tr("Add pane"));
    time_ = new QSlider(Qt::Horizontal);
    time_->setRange(0, kTimeTicks);
    time_->setInvertedAppearance(true); // left: t/T = 1 (noise), right: 0 (samples)
    time_->setValue(kTimeTicks);
    timeLabel_ = new QLabel;
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Seed")));
    layout->addWidget(seed_);
    layout->addWidget(new QLabel(tr("Batch")));
    layout->addWidget(batch_);
    layout->addWidget(run);
    layout->addStretch(1);
    layout->addWidget(add_);
    connect(run, &QPushButton::clicked, this, &ComparisonView::runAll);
    connect(add_, &QPushButton::clicked, this, [this] { addPane(preset("ddim", 20)); });
    connect(time_, &QSlider::valueChanged, this, [this] { setTime(time()); });
    connect(seed_, &QSpinBox::valueChanged, this, &ComparisonView::runAll);
    connect(batch_, &QSpinBox::valueChanged, this, &ComparisonView::runAll);
    return row;
}

ComparisonPane* ComparisonView::addPane(const SamplerSettings& settings, bool followSigma)
{
    if (panes_.size() >= kMaxPanes)
        return nullptr;
    auto* pane = new ComparisonPane;
    pane->setSettings(settings);
    pane->setFollowsSigmaToggle(followSigma);
    if (model_.hasModel())
        pane->setMaxSteps(int(model_.denoiser()->schedule().steps()));
    panes_.append(pane);
    paneRow_->addWidget(pane, 1);
    connect(pane, &ComparisonPane::settingsEdited, this, [this, pane] { runPane(pane); });
    connect(pane, &ComparisonPane::removeRequested, this, [this, pane] { removePane(int(panes_.indexOf(pane))); });
    connect(pane, &ComparisonPane::runFinished, this, [this] {
        if (!running())
            Q_EMIT allFinished();
    });
    renumber();
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
    Q_EMIT paneCountChanged(paneCount());
    return true;
}

void ComparisonView::renumber()
{
    for (int i = 0; i < panes_.size(); ++i)
        panes_[i]->setTitle(tr("Pane %1").arg(i + 1));
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

void ComparisonView::runPane(ComparisonPane* pane)
{
    if (!model_.hasModel() || !panes_.contains(pane))
        return;
    pane->run(model_, batch_->value(), uint64_t(seed_->value()), metric_);
}

void ComparisonView::runAll()
{
    if (!model_.hasModel())
        return;
    stale_ = false;
    for (auto* p : panes_)
        runPane(p);
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
    for (auto* p : panes_) {
        if (!p->followsSigmaToggle())
            continue;
        const auto before = p->settings();
        const auto after = sigma_->applied(before);
        if (after == before)
            continue;
        p->setSettings(after);
        if (after.usesSigmaScale() || after.usesEta())
            runPane(p); // live: only panes whose sampler reads σ or η change
    }
}

double ComparisonView::time() const { return 1.0 - double(time_->value()) / kTimeTicks; }

void ComparisonView::setTime(double time)
{
    const int ticks = int(std::lround((1.0 - std::clamp(time, 0.0, 1.0)) * kTimeTicks));
    if (time_->value() != ticks) {
        time_->setValue(ticks); // re-enters through valueChanged
        return;
    }
    timeLabel_->setText(tr("t/T = %1").arg(time, 0, 'f', 3));
    for (auto* p : panes_)
        p->showTime(time);
}

void ComparisonView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (stale_ && model_.hasModel())
        runAll();
}

} // namespace ds
