#pragma once
// The tool rows above the trajectory view: what to run (reverse with a sampler, or forward
// with a noising mode), for how many samples and which seed; what to show and at what zoom.
// The sampler's settings form (samplerEditor()) is placed by the view, beside the image.
#include "frame_kind.h"
#include "frame_renderer.h"
#include "widgets/common/sampler_settings.h"

#include "core/forward_process.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QPushButton;
class QSpinBox;

namespace ds {

class SamplerSettingsEditor;

class TrajectoryControls : public QWidget {
    Q_OBJECT
public:
    explicit TrajectoryControls(QWidget* parent = nullptr);

    bool reverse() const;
    void setReverse(bool reverse);
    ForwardMode forwardMode() const;
    SamplerSettings samplerSettings() const;
    void setSamplerSettings(const SamplerSettings& settings);
    void setMaxSteps(int T);
    // Offers only these samplers (the open model's).
    void setSamplers(const QStringList& names);
    SamplerSettingsEditor& samplerEditor() const { return *sampler_; }
    int batch() const;
    void setBatch(int batch);
    // Images: up to 64 in the grid. 2D points: a cloud needs hundreds to show its shape.
    void setPointData(bool points);
    uint64_t seed() const;
    void setSeed(uint64_t seed);
    FrameKind kind() const;
    void setKind(FrameKind kind);
    // x_t and x̂0: raw values over the data range (default) or min–max scaled.
    ValueScaling scaling() const;
    void setScaling(ValueScaling scaling);
    QPushButton* runButton() const { return run_; }

Q_SIGNALS:
    void runRequested();
    void kindChanged(ds::FrameKind kind);
    void zoomChanged(double zoom); // 0 = fit
    void scalingChanged(ds::ValueScaling scaling);

private:
    QWidget* makeRunRow();
    QWidget* makeViewRow();

    QComboBox* direction_;
    QComboBox* forwardMode_;
    SamplerSettingsEditor* sampler_;
    QSpinBox* batch_;
    QSpinBox* seed_;
    QPushButton* run_;
    QComboBox* kind_;
    QComboBox* zoom_;
    QCheckBox* minMax_;
};

} // namespace ds
