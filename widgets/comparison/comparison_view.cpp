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

#include <algorithm>

namespace ds {
namespace {

constexpr int kTimeTicks = 1000;

SamplerSettings preset(const QString& sampler, int steps) { return SamplerSettings::of(sampler, steps); }

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
    // value 0 (left, beside the "x_T" label) is t/T = 1; the right end, "samples", is t/T = 0.
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
    // A pane that follows the toggle starts with it applied, as if it had been there all along.
    pane->setSettings(followSigma ? sigma_->applied(settings) : settings);
    pane->setFollowsSigmaToggle(followSigma);
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
        runPane(p); // live: applied() changes only what the pane's sampler reads
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
