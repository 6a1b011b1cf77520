#include "stochastic_sigma_bar.h"

#include "sampler_settings.h"

#include "core/samplers/sampler.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>

namespace ds {

StochasticSigmaBar::StochasticSigmaBar(QWidget* parent) : QWidget(parent)
{
    on_ = new QCheckBox(tr("Stochastic σ"));
    on_->setChecked(true);
    on_->setToolTip(tr("off: DDPM σ scale 0 and DDIM η 0 (mean paths); on: the values here"));
    mode_ = new QComboBox;
    mode_->addItems({"small", "large"});
    mode_->setToolTip(tr("DDPM σ² = β̃ (small) or β (large); seed 003: one under-, one over-estimates"));
    scale_ = new QDoubleSpinBox;
    scale_->setRange(0, 2);
    scale_->setSingleStep(0.1);
    scale_->setValue(1);
    eta_ = new QDoubleSpinBox;
    eta_->setRange(0, 2);
    eta_->setSingleStep(0.1);
    eta_->setValue(1);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(on_);
    row->addWidget(new QLabel(tr("DDPM σ")));
    row->addWidget(mode_);
    row->addWidget(new QLabel(tr("× scale")));
    row->addWidget(scale_);
    row->addWidget(new QLabel(tr("DDIM η")));
    row->addWidget(eta_);
    row->addStretch(1);
    connect(on_, &QCheckBox::toggled, this, &StochasticSigmaBar::changed);
    connect(mode_, &QComboBox::currentIndexChanged, this, &StochasticSigmaBar::changed);
    connect(scale_, &QDoubleSpinBox::valueChanged, this, &StochasticSigmaBar::changed);
    connect(eta_, &QDoubleSpinBox::valueChanged, this, &StochasticSigmaBar::changed);
}

bool StochasticSigmaBar::stochastic() const { return on_->isChecked(); }
void StochasticSigmaBar::setStochastic(bool on) { on_->setChecked(on); }

SamplerSettings StochasticSigmaBar::applied(SamplerSettings s) const
{
    const bool on = stochastic();
    if (s.usesSigma())
        s.options.sigma = sigmaModeFromString(mode_->currentText().toStdString());
    if (s.usesSigmaScale())
        s.options.sigmaScale = on ? scale_->value() : 0.0;
    if (s.usesEta())
        s.options.eta = on ? eta_->value() : 0.0;
    return s;
}

} // namespace ds
