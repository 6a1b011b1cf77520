#include "sampler_settings_editor.h"

#include "core/samplers/sampler_options.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/timesteps.h"

#include <nlohmann/json.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include <cmath>
#include <limits>

namespace ds {
namespace {

QString qtext(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

// Short labels for the option keys; keys not listed show with '_' as spaces.
QString labelFor(const QString& key)
{
    static const QMap<QString, QString> labels{
        {"steps", QObject::tr("Steps")},          {"spacing", QObject::tr("Spacing")},
        {"steps_offset", QObject::tr("Steps offset")}, {"karras_rho", QObject::tr("Karras ρ")},
        {"eta", QObject::tr("η")},                {"sigma", QObject::tr("σ²")},
        {"sigma_scale", QObject::tr("σ scale")},  {"clip_denoised", QObject::tr("Clip x̂0")},
        {"clip_range", QObject::tr("Clip ±")},    {"dynamic_threshold", QObject::tr("Dyn. threshold")},
        {"threshold_quantile", QObject::tr("Quantile p")}, {"threshold_max", QObject::tr("Max s")},
        {"churn", QObject::tr("S_churn")},        {"churn_tmin", QObject::tr("S_tmin")},
        {"churn_tmax", QObject::tr("S_tmax")},    {"churn_noise", QObject::tr("S_noise")},
        {"window", QObject::tr("Window")},        {"tolerance", QObject::tr("Tolerance τ")},
    };
    return labels.value(key, QString(key).replace('_', ' '));
}

struct NumberRange {
    double lo, hi, step;
};
// Spin box ranges; the engine checks the values again when the run begins.
NumberRange rangeFor(const QString& key)
{
    static const QMap<QString, NumberRange> ranges{
        {"steps", {1, 1000, 1}},           {"steps_offset", {0, 999, 1}},     {"karras_rho", {0.5, 100, 0.5}},
        {"eta", {0, 2, 0.1}},              {"sigma_scale", {0, 2, 0.1}},      {"clip_range", {0, 100, 0.5}},
        {"threshold_quantile", {0.5, 1, 0.005}}, {"threshold_max", {1, 100, 0.5}}, {"churn", {0, 1000, 1}},
        {"churn_tmin", {0, 1e30, 0.05}},   {"churn_tmax", {0, 1e30, 1}},      {"churn_noise", {0, 2, 0.001}},
        {"window", {1, 1000, 1}},          {"tolerance", {1e-6, 1, 1e-3}},
    };
    return ranges.value(key, NumberRange{-1e9, 1e9, 0.1});
}

// Shows real options as typed (0.001, 1e-05, 80) and 1e30 (EDM's S_tmax default) as ∞.
class RealSpinBox : public QDoubleSpinBox {
public:
    RealSpinBox()
    {
        setDecimals(12); // the value is kept exactly; textFromValue decides what is shown
        setKeyboardTracking(false);
    }
    QString textFromValue(double v) const override
    {
        return v >= 1e30 ? QStringLiteral("∞") : QString::number(v, 'g', 6);
    }
    double valueFromText(const QString& text) const override
    {
        const auto t = text.trimmed();
        if (t == QStringLiteral("∞") || t.compare(QStringLiteral("inf"), Qt::CaseInsensitive) == 0)
            return 1e30;
        return t.toDouble();
    }
    QValidator::State validate(QString& text, int&) const override
    {
        bool ok = false;
        text.trimmed().toDouble(&ok);
        const auto t = text.trimmed();
        if (ok || t == QStringLiteral("∞") || t.compare(QStringLiteral("inf"), Qt::CaseInsensitive) == 0)
            return QValidator::Acceptable;
        return QValidator::Intermediate;
    }
};

} // namespace

SamplerSettingsEditor::SamplerSettingsEditor(Layout mode, QWidget* parent) : QWidget(parent), layout_(mode)
{
    sampler_ = new QComboBox;
    // Long names ("picard-euler-ancestral") must not widen the window: elide to ~12 characters.
    sampler_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    sampler_->setMinimumContentsLength(12);
    fields_["sampler"] = sampler_;
    start_ = new QComboBox;
    start_->addItems({"noise", "data"});
    start_->setToolTip(tr("noise: x_T ~ N(0, I); data: test images forward-diffused to the first step "
                          "(the start for models whose x_T is not N(0, I), e.g. seed 002's pixel-aware sampler)"));
    fields_["start"] = start_;
    if (mode == Layout::Form) {
        model_ = new QLineEdit;
        model_->setPlaceholderText(tr("the open model"));
        model_->setToolTip(tr("a checkpoint, .pt file or oracle spec for this pane only — e.g. a DNM or "
                              "pixel-aware checkpoint beside the DDPM it is compared with"));
        fields_["model"] = model_;
    }
    buildOptionFields();
    if (layout_ == Layout::Form) {
        auto* form = new QFormLayout(this);
        form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
        form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    } else {
        new QHBoxLayout(this);
    }
    layout()->setContentsMargins(0, 0, 0, 0);
    for (const auto& key : fields_.keys())
        labels_[key] = new QLabel(key == "sampler" ? tr("Sampler") : key == "start" ? tr("Start")
                                  : key == "model" ? tr("Model") : labelFor(key));
    setSamplers({}); // every sampler until a model says otherwise
    setSettings(SamplerSettings{});

    connect(sampler_, &QComboBox::currentTextChanged, this, &SamplerSettingsEditor::samplerChosen);
    connect(start_, &QComboBox::currentTextChanged, this, [this](const QString& s) {
        settings_.start = s;
        if (!updating_)
            Q_EMIT changed();
    });
    if (model_)
        connect(model_, &QLineEdit::editingFinished, this, [this] {
            if (settings_.model == model_->text().trimmed())
                return;
            settings_.model = model_->text().trimmed();
            Q_EMIT changed();
        });
}

void SamplerSettingsEditor::buildOptionFields()
{
    for (const auto& f : samplerOptionFields()) {
        const auto key = qtext(f.key);
        auto* w = makeField(key);
        w->setToolTip(qtext(f.help));
        fields_[key] = w;
    }
}

QWidget* SamplerSettingsEditor::makeField(const QString& key)
{
    const auto& f = samplerOptionField(key.toStdString());
    const auto edited = [this, key] { optionEdited(key); };
    switch (f.kind) {
    case OptionKind::Int: {
        auto* box = new QSpinBox;
        const auto r = rangeFor(key);
        box->setRange(int(r.lo), int(r.hi));
        box->setKeyboardTracking(false);
        connect(box, &QSpinBox::valueChanged, this, edited);
        return box;
    }
    case OptionKind::Real: {
        auto* box = new RealSpinBox;
        const auto r = rangeFor(key);
        box->setRange(r.lo, r.hi);
        box->setSingleStep(r.step);
        if (key == "clip_range")
            box->setSpecialValueText(tr("data range"));
        connect(box, &QDoubleSpinBox::valueChanged, this, edited);
        return box;
    }
    case OptionKind::Flag: {
        auto* box = new QCheckBox;
        connect(box, &QCheckBox::toggled, this, edited);
        return box;
    }
    case OptionKind::Spacing:
    case OptionKind::Sigma: {
        auto* box = new QComboBox;
        const auto choices = f.kind == OptionKind::Spacing ? spacingChoices() : sigmaModeChoices();
        box->addItems(QString::fromStdString(choices).split('|'));
        connect(box, &QComboBox::currentTextChanged, this, edited);
        return box;
    }
    }
    return new QWidget;
}

void SamplerSettingsEditor::optionEdited(const QString& key)
{
    if (updating_)
        return;
    auto* w = fields_.value(key);
    nlohmann::json value;
    if (auto* i = qobject_cast<QSpinBox*>(w))
        value = int64_t(i->value());
    else if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
        value = d->value();
    else if (auto* c = qobject_cast<QCheckBox*>(w))
        value = c->isChecked();
    else if (auto* b = qobject_cast<QComboBox*>(w))
        value = b->currentText().toStdString();
    try {
        setOptionValue(settings_.options, key.toStdString(), value, "editor");
    } catch (const std::exception&) {
        return; // the widgets only offer valid values; keep the last good one
    }
    arrange(); // a flag or the spacing may show or hide dependent rows
    Q_EMIT changed();
}

void SamplerSettingsEditor::samplerChosen(const QString& name)
{
    if (updating_ || name.isEmpty() || name == settings_.sampler)
        return;
    settings_ = settings_.withSampler(name);
    refreshValues();
    Q_EMIT changed();
}

void SamplerSettingsEditor::setSettings(const SamplerSettings& s)
{
    settings_ = s;
    settings_.options.steps = std::min<int64_t>(s.options.steps, static_cast<QSpinBox*>(fields_.value("steps"))->maximum());
    if (sampler_->findText(s.sampler) < 0 && sampler_->count() > 0)
        settings_ = settings_.withSampler(sampler_->itemText(0));
    refreshValues();
}

// Puts settings_ into the widgets, without emitting, then shows the rows that apply.
void SamplerSettingsEditor::refreshValues()
{
    updating_ = true;
    sampler_->setCurrentText(settings_.sampler);
    sampler_->setToolTip(sampler_->currentData(Qt::ToolTipRole).toString());
    const auto values = toJson(settings_.options);
    for (const auto& [key, value] : values.items()) {
        auto* w = fields_.value(QString::fromStdString(key));
        if (auto* i = qobject_cast<QSpinBox*>(w))
            i->setValue(int(value.get<int64_t>()));
        else if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
            d->setValue(value.get<double>());
        else if (auto* c = qobject_cast<QCheckBox*>(w))
            c->setChecked(value.get<bool>());
        else if (auto* b = qobject_cast<QComboBox*>(w))
            b->setCurrentText(QString::fromStdString(value.get<std::string>()));
    }
    start_->setCurrentText(settings_.start);
    if (model_)
        model_->setText(settings_.model);
    updating_ = false;
    arrange();
}

void SamplerSettingsEditor::setMaxSteps(int T)
{
    for (const auto* key : {"steps", "window"})
        static_cast<QSpinBox*>(fields_.value(key))->setMaximum(std::max(1, T));
    static_cast<QSpinBox*>(fields_.value("steps_offset"))->setMaximum(std::max(0, T - 1));
    settings_.options.steps = std::min<int64_t>(settings_.options.steps, std::max(1, T));
}

void SamplerSettingsEditor::setSamplers(const QStringList& names)
{
    updating_ = true;
    sampler_->clear();
    for (const auto& e : samplerRegistry()) {
        const auto name = qtext(e.name);
        if (!names.isEmpty() && !names.contains(name))
            continue;
        sampler_->addItem(name);
        sampler_->setItemData(sampler_->count() - 1, qtext(e.description), Qt::ToolTipRole);
    }
    updating_ = false;
    setSettings(settings_);
}

QStringList SamplerSettingsEditor::samplers() const
{
    QStringList out;
    for (int i = 0; i < sampler_->count(); ++i)
        out << sampler_->itemText(i);
    return out;
}

// Whether an option takes effect: the sampler reads it, and the options it depends on are on.
bool SamplerSettingsEditor::shows(const QString& key) const
{
    if (key == "sampler" || key == "start" || key == "model")
        return true;
    if (!settings_.uses(key.toUtf8().constData()))
        return false;
    const auto& o = settings_.options;
    if (key == "karras_rho")
        return o.spacing == Spacing::Karras;
    if (key == "steps_offset")
        return o.spacing == Spacing::Leading || o.spacing == Spacing::Linspace;
    if (key == "clip_range")
        return o.clipDenoised;
    if (key == "threshold_quantile" || key == "threshold_max")
        return o.dynamicThreshold;
    if (key == "churn_tmin" || key == "churn_tmax")
        return o.churn > 0;
    return true;
}

bool SamplerSettingsEditor::rowShown(const QString& key) const
{
    return fields_.contains(key) && order_.contains(key) && shows(key);
}

// Sampler, the options in the registry's display order, then start and model.
QStringList SamplerSettingsEditor::displayOrder() const
{
    QStringList keys{"sampler"};
    for (const auto& e : samplerRegistry())
        if (qtext(e.name) == settings_.sampler)
            for (auto k : e.reads)
                keys << qtext(k);
    keys << "start";
    if (model_ && modelShown_)
        keys << "model";
    return keys;
}

void SamplerSettingsEditor::arrange()
{
    const auto order = displayOrder();
    if (order != order_) { // a new sampler: lay its rows out in its order
        order_ = order;
        if (auto* form = qobject_cast<QFormLayout*>(layout())) {
            while (form->rowCount() > 0)
                form->takeRow(0);
        } else {
            while (layout()->count() > 0)
                delete layout()->takeAt(0);
        }
        for (const auto& key : order_) {
            if (auto* form = qobject_cast<QFormLayout*>(layout())) {
                form->addRow(labels_[key], fields_[key]);
            } else {
                layout()->addWidget(labels_[key]);
                layout()->addWidget(fields_[key]);
            }
        }
    }
    auto* form = qobject_cast<QFormLayout*>(layout());
    QStringList shown;
    for (const auto& key : fields_.keys()) {
        const bool visible = order_.contains(key) && shows(key);
        if (visible)
            shown << key;
        if (form && order_.contains(key)) {
            form->setRowVisible(fields_[key], visible); // no spacing left for hidden rows
        } else {
            labels_[key]->setVisible(visible);
            fields_[key]->setVisible(visible);
        }
    }
    if (shown != shown_) {
        shown_ = shown;
        Q_EMIT rowsChanged();
    }
}

void SamplerSettingsEditor::setModelFieldShown(bool shown)
{
    modelShown_ = shown;
    arrange();
}

} // namespace ds
