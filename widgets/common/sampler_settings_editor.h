#pragma once
// Edits one SamplerSettings: sampler, steps, spacing, and the stochastic σ controls that apply
// to the chosen sampler (DDPM: σ mode and scale; DDIM: η; DNM: s), the start (noise or a
// forward-diffused test image) and, in panes, a model of the pane's own. Emits changed().
#include "sampler_settings.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QLabel;

namespace ds {

class SamplerSettingsEditor : public QWidget {
    Q_OBJECT
public:
    enum class Layout { Row, Form }; // one line for tool bars, two columns for panes
    explicit SamplerSettingsEditor(Layout mode = Layout::Form, QWidget* parent = nullptr);

    SamplerSettings settings() const;
    void setSettings(const SamplerSettings& settings); // does not emit changed()
    void setMaxSteps(int T);

Q_SIGNALS:
    void changed();

private:
    void updateEnabled();
    void addRow(const QString& label, QWidget* field);

    Layout layout_;
    QComboBox* sampler_;
    QSpinBox* steps_;
    QComboBox* spacing_;
    QComboBox* sigma_;
    QDoubleSpinBox* sigmaScale_;
    QDoubleSpinBox* eta_;
    QComboBox* start_;
    QLineEdit* model_ = nullptr; // panes only (Form layout)
    QList<QPair<QLabel*, QWidget*>> rows_;
    bool updating_ = false;
};

} // namespace ds
