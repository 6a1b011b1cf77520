#include "trajectory_controls.h"

#include "widgets/common/sampler_settings_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ds {

TrajectoryControls::TrajectoryControls(QWidget* parent) : QWidget(parent)
{
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(makeRunRow());
    column->addWidget(makeViewRow());
}

QWidget* TrajectoryControls::makeRunRow()
{
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    direction_ = new QComboBox;
    direction_->addItems({tr("Reverse: noise → data"), tr("Forward: data → noise")});
    forwardMode_ = new QComboBox;
    forwardMode_->addItem(tr("closed form"), int(ForwardMode::ClosedForm));
    forwardMode_->addItem(tr("Markov chain"), int(ForwardMode::Markov));
    forwardMode_->addItem(tr("shared ε (DNM)"), int(ForwardMode::SharedEpsilon));
    forwardMode_->setToolTip(tr("closed form: independent draws per t; Markov: one chain; shared ε: one noise for all t"));
    sampler_ = new SamplerSettingsEditor(SamplerSettingsEditor::Layout::Form, this); // the view places it
    sampler_->setModelFieldShown(false); // the open model is the trajectory's model
    batch_ = new QSpinBox;
    batch_->setRange(1, 64);
    batch_->setValue(16);
    batch_->setToolTip(tr("samples in the batch"));
    seed_ = new QSpinBox;
    seed_->setRange(0, 1 << 30);
    seed_->setToolTip(tr("seed of the noise stream: x_T first, then one draw per noisy step"));
    run_ = new QPushButton(tr("Run"));
    run_->setDefault(true);
    layout->addWidget(direction_);
    layout->addWidget(forwardMode_);
    layout->addWidget(new QLabel(tr("Batch")));
    layout->addWidget(batch_);
    layout->addWidget(new QLabel(tr("Seed")));
    layout->addWidget(seed_);
    layout->addStretch(1);
    layout->addWidget(run_);
    connect(run_, &QPushButton::clicked, this, &TrajectoryControls::runRequested);
    connect(direction_, &QComboBox::currentIndexChanged, this, [this] { setReverse(reverse()); });
    setReverse(true);
    return row;
}

QWidget* TrajectoryControls::makeViewRow()
{
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    kind_ = new QComboBox;
    kind_->addItems(frameKindLabels());
    zoom_ = new QComboBox;
    zoom_->addItem(tr("Fit"), 0.0);
    for (int z : {1, 2, 4, 8, 16, 32})
        zoom_->addItem(tr("%1×").arg(z), double(z));
    zoom_->setToolTip(tr("zoom (Ctrl+wheel, +/−, 0 on the image); pixels stay crisp"));
    layout->addWidget(new QLabel(tr("Show")));
    layout->addWidget(kind_);
    layout->addWidget(new QLabel(tr("Zoom")));
    layout->addWidget(zoom_);
    minMax_ = new QCheckBox(tr("min–max scaled"));
    minMax_->setToolTip(tr("off (default): raw values over the model's data range, values outside clipped and "
                           "counted; on: each frame's own min..max stretched to black..white"));
    layout->addWidget(minMax_);
    layout->addStretch(1);
    connect(minMax_, &QCheckBox::toggled, this, [this] { Q_EMIT scalingChanged(scaling()); });
    connect(kind_, &QComboBox::currentIndexChanged, this, [this](int i) { Q_EMIT kindChanged(FrameKind(i)); });
    connect(zoom_, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT zoomChanged(zoom_->currentData().toDouble()); });
    return row;
}

bool TrajectoryControls::reverse() const { return direction_->currentIndex() == 0; }

void TrajectoryControls::setReverse(bool reverse)
{
    direction_->setCurrentIndex(reverse ? 0 : 1);
    sampler_->setVisible(reverse);
    forwardMode_->setVisible(!reverse);
}

ForwardMode TrajectoryControls::forwardMode() const { return ForwardMode(forwardMode_->currentData().toInt()); }
SamplerSettings TrajectoryControls::samplerSettings() const { return sampler_->settings(); }
void TrajectoryControls::setSamplerSettings(const SamplerSettings& s) { sampler_->setSettings(s); }
void TrajectoryControls::setMaxSteps(int T) { sampler_->setMaxSteps(T); }
void TrajectoryControls::setSamplers(const QStringList& names) { sampler_->setSamplers(names); }
int TrajectoryControls::batch() const { return batch_->value(); }
void TrajectoryControls::setBatch(int batch) { batch_->setValue(batch); }

void TrajectoryControls::setPointData(bool points)
{
    batch_->setMaximum(points ? 4096 : 64);
    if (points && batch_->value() < 256)
        batch_->setValue(512);
}
uint64_t TrajectoryControls::seed() const { return uint64_t(seed_->value()); }
void TrajectoryControls::setSeed(uint64_t seed) { seed_->setValue(int(seed)); }
FrameKind TrajectoryControls::kind() const { return FrameKind(kind_->currentIndex()); }
void TrajectoryControls::setKind(FrameKind kind) { kind_->setCurrentIndex(int(kind)); }
ValueScaling TrajectoryControls::scaling() const { return minMax_->isChecked() ? ValueScaling::MinMax : ValueScaling::Raw; }
void TrajectoryControls::setScaling(ValueScaling scaling) { minMax_->setChecked(scaling == ValueScaling::MinMax); }

} // namespace ds
