#pragma once
// The "new training job" form: a preset fills every field; each field stays editable.
// It only builds a TrainingConfig; starting the job is the panel's business.
#include "core/training/training_config.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace ds {

class TrainingForm : public QWidget {
    Q_OBJECT
public:
    explicit TrainingForm(QWidget* parent = nullptr);

    // The config the fields describe; throws ds::Error naming a bad field (e.g. network JSON).
    TrainingConfig config() const;
    void load(const TrainingConfig& config);
    void choosePreset(const QString& preset);
    // After a start: "run" → "run-2", "run-2" → "run-3", so the next start gets a fresh folder.
    void advanceName();

Q_SIGNALS:
    void startRequested();

private:
    QComboBox* preset_;
    QLineEdit* name_;
    QComboBox* dataset_;
    QComboBox* objective_;
    QLineEdit* network_;
    QComboBox* schedule_;
    QSpinBox* T_;
    QDoubleSpinBox* gamma_;
    QLineEdit* teacher_;
    QSpinBox* steps_;
    QSpinBox* batch_;
    QDoubleSpinBox* lr_;
    QSpinBox* previewEvery_;
    QComboBox* device_;
    QLineEdit* outputDir_;
    TrainingConfig base_; // the fields the form does not show come from the last preset
};

} // namespace ds
