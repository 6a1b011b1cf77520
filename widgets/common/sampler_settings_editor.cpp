#include "sampler_settings_editor.h"

#include "core/samplers/sampler_registry.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>

#include "core/samplers/timesteps.h"

namespace ds {

SamplerSettingsEditor::SamplerSettingsEditor(Layout mode, QWidget* parent) : QWidget(parent), layout_(mode)
{
    sampler_ = new QComboBox;
    for (const auto& e : samplerRegistry()) {
        sampler_->addItem(QString::fromUtf8(e.name.data(), int(e.name.size())));
        sampler_->setItemData(sampler_->count() - 1, QString::fromUtf8(e.description.data(), int(e.description.size())),
                              Qt::ToolTipRole);
    }
    // Long names ("picard-euler-ancestral") must not widen the window: elide to ~9 characters (the full name is in the tooltip and the list).
    sampler_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    sampler_->setMinimumContentsLength(9);
    steps_ = new QSpinBox;
    steps_->setRange(1, 1000);
    steps_->setToolTip(tr("reverse steps (network passes; Heun takes two per step)"));
    spacing_ = new QComboBox;
    for (const auto& choice : QString::fromStdString(spacingChoices()).split('|'))
        spacing_->addItem(choice);
    spacing_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    spacing_->setMinimumContentsLength(7);
    spacing_->setToolTip(tr("which timesteps a run with fewer steps than T visits"));
    sigma_ = new QComboBox;
    sigma_->addItems({"small", "large"});
    sigma_->setToolTip(tr("DDPM: σ² = β̃ (small, posterior variance) or β (large)"));
    sigmaScale_ = new QDoubleSpinBox;
    sigmaScale_->setRange(0, 2);
    sigmaScale_->setSingleStep(0.1);
    sigmaScale_->setToolTip(tr("DDPM: multiplies σ; 0 follows the mean path"));
    eta_ = new QDoubleSpinBox;
    eta_->setRange(0, 2);
    eta_->setSingleStep(0.1);
    eta_->setToolTip(tr("DDIM: η = 0 deterministic, η = 1 DDPM-like noise"));
    start_ = new QComboBox;
    start_->addItems({"noise", "data"});
    start_->setToolTip(tr("noise: x_T ~ N(0, I); data: test images forward-diffused to the first step "
                          "(seed 002's start for the pixel-aware sampler)"));
    if (mode == Layout::Form) {
        model_ = new QLineEdit;
        model_->setPlaceholderText(tr("the open model"));
        model_->setToolTip(tr("a checkpoint, .pt file or oracle spec for this pane only — e.g. a DNM or "
                              "pixel-aware checkpoint beside the DDPM it is compared with"));
    }

    if (layout_ == Layout::Form)
        setLayout(new QFormLayout);
    else
        setLayout(new QHBoxLayout);
    layout()->setContentsMargins(0, 0, 0, 0);
    addRow(tr("Sampler"), sampler_);
    addRow(tr("Steps"), steps_);
    addRow(tr("Spacing"), spacing_);
    addRow(tr("σ"), sigma_);
    addRow(tr("σ scale"), sigmaScale_);
    addRow(tr("η"), eta_);
    addRow(tr("Start"), start_);
    if (model_)
        addRow(tr("Model"), model_);

    setSettings(SamplerSettings{});
    auto emitChanged = [this] {
        updateEnabled();
        if (!updating_)
            Q_EMIT changed();
    };
    connect(sampler_, &QComboBox::currentTextChanged, this, emitChanged);
    connect(spacing_, &QComboBox::currentTextChanged, this, emitChanged);
    connect(sigma_, &QComboBox::currentTextChanged, this, emitChanged);
    connect(steps_, &QSpinBox::valueChanged, this, emitChanged);
    connect(sigmaScale_, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(eta_, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(start_, &QComboBox::currentTextChanged, this, emitChanged);
    if (model_)
        connect(model_, &QLineEdit::editingFinished, this, emitChanged);
}

void SamplerSettingsEditor::addRow(const QString& label, QWidget* field)
{
    auto* l = new QLabel(label);
    if (auto* form = qobject_cast<QFormLayout*>(layout())) {
        form->addRow(l, field);
    } else {
        layout()->addWidget(l);
        layout()->addWidget(field);
    }
    rows_.append({l, field});
}

SamplerSettings SamplerSettingsEditor::settings() const
{
    SamplerSettings s;
    s.sampler = sampler_->currentText();
    s.steps = steps_->value();
    s.spacing = spacing_->currentText();
    s.sigma = sigma_->currentText();
    s.sigmaScale = sigmaScale_->value();
    s.eta = eta_->value();
    s.start = start_->currentText();
    if (model_)
        s.model = model_->text().trimmed();
    return s;
}

void SamplerSettingsEditor::setSettings(const SamplerSettings& s)
{
    updating_ = true;
    sampler_->setCurrentText(s.sampler);
    steps_->setValue(s.steps);
    spacing_->setCurrentText(s.spacing);
    sigma_->setCurrentText(s.sigma);
    sigmaScale_->setValue(s.sigmaScale);
    eta_->setValue(s.eta);
    start_->setCurrentText(s.start);
    if (model_)
        model_->setText(s.model);
    updating_ = false;
    updateEnabled();
}

void SamplerSettingsEditor::setMaxSteps(int T) { steps_->setMaximum(std::max(1, T)); }

void SamplerSettingsEditor::updateEnabled()
{
    const auto s = settings();
    // Show only the σ controls the chosen sampler reads.
    for (auto& [label, field] : rows_) {
        bool visible = true;
        if (field == sigma_)
            visible = s.usesSigma();
        else if (field == sigmaScale_)
            visible = s.usesSigmaScale();
        else if (field == eta_)
            visible = s.usesEta();
        label->setVisible(visible);
        field->setVisible(visible);
    }
}

} // namespace ds
