#include "training_form.h"

#include "core/data/dataset.h"
#include "models/error.h"
#include "models/json_fields.h"

#include <ATen/Context.h>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace ds {
namespace {

QComboBox* comboOf(const std::vector<std::string>& items)
{
    auto* box = new QComboBox;
    for (const auto& item : items)
        box->addItem(QString::fromStdString(item));
    return box;
}

QSpinBox* spin(int lo, int hi)
{
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    return s;
}

} // namespace

TrainingForm::TrainingForm(QWidget* parent) : QWidget(parent)
{
    preset_ = comboOf(trainingPresets());
    name_ = new QLineEdit;
    dataset_ = comboOf(datasetNames());
    objective_ = comboOf({"denoise", "dnm-naive", "dnm-distilled", "pixel-aware"});
    network_ = new QLineEdit;
    network_->setToolTip(tr("Network config as JSON: {\"kind\": \"unet\"|\"mlp\"|\"pixel-aware\", …}"));
    schedule_ = comboOf({"linear", "cosine", "pixel-aware"});
    T_ = spin(1, 100000);
    gamma_ = new QDoubleSpinBox;
    gamma_->setRange(0.1, 1000);
    teacher_ = new QLineEdit;
    teacher_->setPlaceholderText(tr("dnm-distilled only: teacher model"));
    steps_ = spin(1, 100000000);
    batch_ = spin(1, 65536);
    lr_ = new QDoubleSpinBox;
    lr_->setDecimals(6);
    lr_->setRange(1e-6, 0.999);
    lr_->setSingleStep(1e-4);
    previewEvery_ = spin(0, 100000000);
    previewEvery_->setSuffix(tr(" steps"));
    previewEvery_->setSpecialValueText(tr("never"));
    previewEvery_->setObjectName(QStringLiteral("previewEvery"));
    previewEvery_->setToolTip(tr("Steps between preview grids sampled from the EMA weights (0: none)"));
    device_ = comboOf({"cpu"});
    if (at::hasCUDA())
        device_->addItem(QStringLiteral("cuda"));
    outputDir_ = new QLineEdit(QDir::home().filePath(QStringLiteral("diffscope-runs")));
    auto* browse = new QPushButton(tr("…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const auto dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), outputDir_->text());
        if (!dir.isEmpty())
            outputDir_->setText(dir);
    });
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(outputDir_);
    outRow->addWidget(browse);
    auto* start = new QPushButton(tr("Start training"));
    connect(start, &QPushButton::clicked, this, &TrainingForm::startRequested);

    auto* form = new QFormLayout(this);
    form->addRow(tr("Preset"), preset_);
    form->addRow(tr("Name"), name_);
    form->addRow(tr("Data set"), dataset_);
    form->addRow(tr("Objective"), objective_);
    form->addRow(tr("Network"), network_);
    form->addRow(tr("Schedule"), schedule_);
    form->addRow(tr("T"), T_);
    form->addRow(tr("γ (pixel-aware)"), gamma_);
    form->addRow(tr("Teacher"), teacher_);
    form->addRow(tr("Steps"), steps_);
    form->addRow(tr("Batch"), batch_);
    form->addRow(tr("Learning rate"), lr_);
    form->addRow(tr("Preview every"), previewEvery_);
    form->addRow(tr("Device"), device_);
    form->addRow(tr("Output folder"), outRow);
    form->addRow(start);
    connect(preset_, &QComboBox::currentTextChanged, this, &TrainingForm::choosePreset);
    choosePreset(preset_->currentText());
}

void TrainingForm::choosePreset(const QString& preset)
{
    if (preset_->currentText() != preset)
        preset_->setCurrentText(preset);
    auto config = presetTrainingConfig(preset.toStdString());
    config.outputDir = outputDir_->text().toStdString(); // a preset does not move the run folder
    load(config);
}

void TrainingForm::load(const TrainingConfig& c)
{
    base_ = c;
    name_->setText(QString::fromStdString(c.name));
    dataset_->setCurrentText(QString::fromStdString(c.dataset));
    objective_->setCurrentText(QString::fromStdString(std::string(name(c.objective))));
    network_->setText(QString::fromStdString(c.network.dump()));
    schedule_->setCurrentText(QString::fromStdString(std::string(name(c.schedule.kind))));
    T_->setValue(int(c.schedule.T));
    gamma_->setValue(c.schedule.gamma);
    teacher_->setText(QString::fromStdString(c.teacher));
    steps_->setValue(int(c.steps));
    batch_->setValue(int(c.batch));
    lr_->setValue(c.lr);
    previewEvery_->setValue(int(std::min<int64_t>(c.previewEvery, previewEvery_->maximum())));
    device_->setCurrentText(QString::fromStdString(c.device));
    outputDir_->setText(QString::fromStdString(c.outputDir));
}

void TrainingForm::advanceName()
{
    const auto name = name_->text();
    const int dash = name.lastIndexOf('-');
    bool numbered = false;
    const int n = dash > 0 ? name.mid(dash + 1).toInt(&numbered) : 0;
    name_->setText(numbered ? name.left(dash) + QStringLiteral("-%1").arg(n + 1) : name + QStringLiteral("-2"));
}

TrainingConfig TrainingForm::config() const
{
    TrainingConfig c = base_;
    c.name = name_->text().trimmed().toStdString();
    c.dataset = dataset_->currentText().toStdString();
    c.objective = trainingObjectiveFromString(objective_->currentText().toStdString());
    c.network = parseJson(network_->text().toStdString(), "network"); // "network: not valid JSON: …"
    c.schedule.kind = scheduleKindFromString(schedule_->currentText().toStdString());
    c.schedule.T = T_->value();
    c.schedule.gamma = gamma_->value();
    c.teacher = teacher_->text().trimmed().toStdString();
    c.steps = steps_->value();
    c.batch = batch_->value();
    c.lr = lr_->value();
    c.previewEvery = previewEvery_->value();
    c.device = device_->currentText().toStdString();
    c.outputDir = outputDir_->text().toStdString();
    c.validate();
    return c;
}

} // namespace ds
