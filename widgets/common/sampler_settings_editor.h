#pragma once
// Edits one SamplerSettings. The option controls are generated from the engine's option table
// (core/samplers/sampler_options.h: spin boxes for numbers, combos for spacings and σ modes,
// check boxes for flags) and shown exactly when the chosen sampler reads them (the registry's
// `reads`, in its display order) — and, within those, only where they take effect (Karras ρ
// on the Karras grid, the clip range with clipping on, …). Then the start (noise or a
// forward-diffused test image) and, in panes, a model of the pane's own. Emits changed().
#include "sampler_settings.h"

#include <QMap>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;

namespace ds {

class SamplerSettingsEditor : public QWidget {
    Q_OBJECT
public:
    enum class Layout { Row, Form }; // one line for tool bars, two columns for panels and panes
    explicit SamplerSettingsEditor(Layout mode = Layout::Form, QWidget* parent = nullptr);

    SamplerSettings settings() const { return settings_; }
    void setSettings(const SamplerSettings& settings); // does not emit changed()
    void setMaxSteps(int T);
    // Offers only these samplers (the open model's, samplersFor()); a current sampler outside
    // them moves to the first one, quietly. Default: every registry sampler.
    void setSamplers(const QStringList& names);
    QStringList samplers() const;

    // The control of an option key (a QSpinBox, QDoubleSpinBox, QComboBox or QCheckBox), or of
    // "sampler", "start", "model"; nullptr for unknown keys. Whether its row is shown now.
    QWidget* field(const QString& key) const { return fields_.value(key); }
    bool rowShown(const QString& key) const;
    // The Model row (Form layout): comparison panes show it, the trajectory view does not.
    void setModelFieldShown(bool shown);

Q_SIGNALS:
    void changed();
    void rowsChanged(); // rows were shown or hidden: the editor's height changed

private:
    void buildOptionFields();
    QWidget* makeField(const QString& key);
    void optionEdited(const QString& key);
    void samplerChosen(const QString& name);
    void refreshValues();
    void arrange();
    bool shows(const QString& key) const;
    QStringList displayOrder() const;

    Layout layout_;
    SamplerSettings settings_;
    QComboBox* sampler_;
    QComboBox* start_;
    QLineEdit* model_ = nullptr; // panes only (Form layout)
    QMap<QString, QWidget*> fields_;
    QMap<QString, QLabel*> labels_;
    QStringList order_; // keys as currently laid out
    QStringList shown_; // keys whose rows are visible
    bool modelShown_ = true;
    bool updating_ = false;
};

} // namespace ds
