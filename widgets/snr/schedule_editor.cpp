#include "schedule_editor.h"

#include "log_snr_curve_editor.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/common/dialog_folder.h"
#include "widgets/common/image_canvas.h"
#include "widgets/engine/engine_thread.h"

#include "core/user_message.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace ds {
namespace {

constexpr qint64 kMaxDelayMs = 120;

// The presets the editor offers: every scalar kind core/schedule.h builds from parameters.
const ScheduleKind kPresets[] = {ScheduleKind::Linear, ScheduleKind::ScaledLinear, ScheduleKind::Sigmoid,
                                 ScheduleKind::Cosine};

QDoubleSpinBox* doubleSpin(double lo, double hi, double value, int decimals, const QString& tip)
{
    auto* spin = new QDoubleSpinBox;
    spin->setDecimals(decimals);
    spin->setRange(lo, hi);
    spin->setSingleStep(std::pow(10.0, -decimals + 1));
    spin->setValue(value);
    spin->setToolTip(tip);
    return spin;
}

std::vector<double> logSnrOf(const Schedule& s)
{
    std::vector<double> out;
    for (int64_t k = 0; k < s.steps(); ++k) {
        const double a = s.alphaBarAt(k);
        out.push_back(std::log(a) - std::log1p(-a));
    }
    return out;
}

PlotWidget* makePlot(const QString& title, const QString& y, bool logY)
{
    auto* plot = new PlotWidget;
    plot->setTitle(title);
    plot->setAxisTitles(QObject::tr("t / T"), y);
    plot->setLogY(logY);
    plot->setXRange(0, 1);
    return plot;
}

ImageCanvas* makeCanvas(const QString& tip)
{
    auto* canvas = new ImageCanvas;
    canvas->setToolTip(tip);
    canvas->setMinimumHeight(70);
    return canvas;
}

} // namespace

ScheduleEditor::ScheduleEditor(QWidget* parent)
    : QWidget(parent), data_(std::make_shared<std::optional<SchedulePreviewData>>())
{
    engine_ = new EngineThread(this);
    timer_ = new QTimer(this);
    timer_->setSingleShot(true);
    timer_->setInterval(40); // a drag's burst of moves becomes one preview
    connect(timer_, &QTimer::timeout, this, &ScheduleEditor::start);
    connect(engine_, &EngineThread::jobFailed, this, [this](const QString& m) {
        busy_ = false;
        summary_->setText(m);
        Q_EMIT failed(m);
    });

    curve_ = new LogSnrCurveEditor;
    alphaBarPlot_ = makePlot(tr("ᾱ_t: edited (solid), preset (dashed)"), tr("ᾱ"), false);
    snrPlot_ = makePlot(tr("SNR = ᾱ / (1 − ᾱ)"), tr("SNR"), true);
    forward_ = makeCanvas(tr("one item diffused with one cached ε at t/T = 0, 0.1, 0.25, 0.5, 0.75, 0.9, 1"));
    samples_ = makeCanvas(tr("DDIM (η = 0) on the exact empirical oracle from one cached x_T; its samples are "
                             "training images, so the path shows the schedule best"));
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* plots = new QSplitter(Qt::Horizontal);
    plots->addWidget(alphaBarPlot_);
    plots->addWidget(snrPlot_);
    auto* images = new QWidget;
    auto* imageColumn = new QVBoxLayout(images);
    imageColumn->setContentsMargins(0, 0, 0, 0);
    imageColumn->addWidget(new QLabel(tr("Forward process x_t of one item with one ε, t/T = 0, 0.1, 0.25, 0.5, 0.75, 0.9, 1")));
    imageColumn->addWidget(forward_, 1);
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(curve_);
    right->addWidget(plots);
    right->addWidget(images);
    right->setStretchFactor(0, 5);
    right->setStretchFactor(1, 5);
    right->setStretchFactor(2, 2);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(makeControls());
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    connect(curve_, &LogSnrCurveEditor::pointsEdited, this, &ScheduleEditor::onPointsEdited);
    resetPoints();
}

ScheduleEditor::~ScheduleEditor()
{
    engine_->shutdown(); // joins: no job may post to a half-destroyed editor
}

void ScheduleEditor::addPresetRows(QFormLayout* form)
{
    kind_ = new QComboBox;
    for (auto kind : kPresets)
        kind_->addItem(QString::fromLatin1(name(kind).data()), int(kind));
    T_ = new QSpinBox;
    T_->setRange(10, 4000);
    T_->setValue(1000);
    betaStart_ = doubleSpin(1e-6, 0.5, 1e-4, 6, tr("β_1"));
    betaEnd_ = doubleSpin(1e-5, 0.999, 0.02, 5, tr("β_T"));
    cosineS_ = doubleSpin(0.0, 0.5, 0.008, 4, tr("s in f(t) = cos²((t/T + s)/(1 + s) · π/2)"));
    zeroTerminal_ = new QCheckBox(tr("zero terminal SNR (Lin et al. 2024)"));
    zeroTerminal_->setToolTip(tr("rescale √ᾱ so ᾱ_T = 0 (floored at 2⁻²⁴), keeping ᾱ_1"));
    form->addRow(tr("Preset"), kind_);
    form->addRow(tr("T"), T_);
    form->addRow(tr("β start"), betaStart_);
    form->addRow(tr("β end"), betaEnd_);
    form->addRow(tr("cosine s"), cosineS_);
    form->addRow(QString(), zeroTerminal_);
}

QWidget* ScheduleEditor::makeControls()
{
    form_ = new QFormLayout;
    addPresetRows(form_);
    pointCount_ = new QSpinBox;
    pointCount_->setRange(2, 33);
    pointCount_->setValue(9);
    pointCount_->setToolTip(tr("control points on the log-SNR curve, evenly spaced in t"));
    interpolation_ = new QComboBox;
    interpolation_->addItem(tr("monotone cubic"), int(LogSnrInterpolation::MonotoneCubic));
    interpolation_->addItem(tr("piecewise linear"), int(LogSnrInterpolation::Linear));
    interpolation_->setToolTip(tr("linear: a point moves λ only up to its neighbours; cubic (PCHIP): up to the "
                                  "second neighbours"));
    ddimSteps_ = new QSpinBox;
    ddimSteps_->setRange(1, 200);
    ddimSteps_->setValue(20);
    form_->addRow(tr("Points"), pointCount_);
    form_->addRow(tr("Interpolation"), interpolation_);
    form_->addRow(tr("DDIM steps"), ddimSteps_);
    auto* reset = new QPushButton(tr("Reset points to the preset"));
    auto* exportButton = new QPushButton(tr("Export schedule…"));
    exportButton->setToolTip(tr("JSON for `diffscope-cli train --schedule \"$(cat FILE)\"` or a training config's "
                                "\"schedule\", plus the betas as .npy"));
    form_->addRow(QString(), reset);
    form_->addRow(QString(), exportButton);
    connect(reset, &QPushButton::clicked, this, &ScheduleEditor::resetPoints);
    connect(exportButton, &QPushButton::clicked, this, &ScheduleEditor::exportWithDialog);

    auto* box = new QWidget;
    auto* column = new QVBoxLayout(box);
    auto* ddimTitle = new QLabel(tr("DDIM on the exact oracle, four samples: x_T (the same every time), x̂0 at 25%, "
                                    "50%, 75% of the steps, the sample"));
    ddimTitle->setWordWrap(true);
    column->addLayout(form_);
    column->addWidget(summary_);
    column->addWidget(ddimTitle);
    column->addWidget(samples_, 1);
    connectControls();
    updateParameterRows();
    return box;
}

// Preset edits start a fresh curve from the preset; the DDIM step count only re-runs.
void ScheduleEditor::connectControls()
{
    connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
        updateParameterRows();
        resetPoints();
    });
    connect(T_, &QSpinBox::valueChanged, this, &ScheduleEditor::resetPoints);
    connect(pointCount_, &QSpinBox::valueChanged, this, &ScheduleEditor::resetPoints);
    for (auto* spin : {betaStart_, betaEnd_, cosineS_})
        connect(spin, &QDoubleSpinBox::valueChanged, this, &ScheduleEditor::resetPoints);
    connect(zeroTerminal_, &QCheckBox::toggled, this, &ScheduleEditor::resetPoints);
    connect(interpolation_, &QComboBox::currentIndexChanged, this, [this] {
        points_.interpolation = LogSnrInterpolation(interpolation_->currentData().toInt());
        setControlPoints(points_);
    });
    connect(ddimSteps_, &QSpinBox::valueChanged, this, &ScheduleEditor::recompute);
}

void ScheduleEditor::updateParameterRows()
{
    const bool cosine = ScheduleKind(kind_->currentData().toInt()) == ScheduleKind::Cosine;
    form_->setRowVisible(betaStart_, !cosine);
    form_->setRowVisible(betaEnd_, !cosine);
    form_->setRowVisible(cosineS_, cosine);
}

ScheduleSpec ScheduleEditor::presetSpec() const
{
    ScheduleSpec s;
    s.kind = ScheduleKind(kind_->currentData().toInt());
    s.T = T_->value();
    s.betaStart = betaStart_->value();
    s.betaEnd = betaEnd_->value();
    s.cosineOffset = cosineS_->value();
    s.rescaleZeroTerminalSnr = zeroTerminal_->isChecked();
    return s;
}

void ScheduleEditor::setPreset(const ScheduleSpec& spec)
{
    {
        const QSignalBlocker blocks[] = {QSignalBlocker(kind_), QSignalBlocker(T_), QSignalBlocker(betaStart_),
                                         QSignalBlocker(betaEnd_), QSignalBlocker(cosineS_), QSignalBlocker(zeroTerminal_)};
        kind_->setCurrentIndex(std::max(0, kind_->findData(int(spec.kind))));
        T_->setValue(int(spec.T));
        betaStart_->setValue(spec.betaStart);
        betaEnd_->setValue(spec.betaEnd);
        cosineS_->setValue(spec.cosineOffset);
        zeroTerminal_->setChecked(spec.rescaleZeroTerminalSnr);
    }
    updateParameterRows();
    resetPoints();
}

ScheduleSpec ScheduleEditor::editedSpec() const { return edited_ ? toScheduleSpec(points_) : presetSpec(); }

// Points sampled from the preset's own λ; the preview shows the preset itself until a drag.
void ScheduleEditor::resetPoints()
{
    try {
        const Schedule preset(presetSpec());
        const auto kind = LogSnrInterpolation(interpolation_->currentData().toInt());
        points_ = controlPointsFrom(preset, std::min<int>(pointCount_->value(), int(preset.steps())), kind);
        curve_->setPoints(points_, logSnrOf(preset));
        edited_ = false;
        recompute();
    } catch (const std::exception& e) { // e.g. β start > β end while typing
        summary_->setText(QString::fromStdString(userMessage(e)));
    }
}

QString ScheduleEditor::setControlPoints(const ControlPointSchedule& points)
{
    try {
        toScheduleSpec(points); // validates, and checks the ᾱ table the points give
        points_ = points;
        curve_->setPoints(points_, logSnrOf(Schedule(presetSpec())));
        edited_ = true;
        recompute();
        return {};
    } catch (const std::exception& e) {
        const auto message = QString::fromStdString(userMessage(e));
        summary_->setText(message);
        Q_EMIT failed(message);
        return message;
    }
}

void ScheduleEditor::onPointsEdited(const ControlPointSchedule& points)
{
    points_ = points;
    edited_ = true;
    recompute();
}

void ScheduleEditor::setDdimSteps(int steps) { ddimSteps_->setValue(steps); }

QString ScheduleEditor::exportTo(const QString& stem)
{
    try {
        const auto files = exportSchedule(editedSpec(), stem.toStdString(), edited_ ? &points_ : nullptr);
        summary_->setText(tr("Wrote %1 and %2").arg(QString::fromStdString(files.json), QString::fromStdString(files.betas)));
        return {};
    } catch (const std::exception& e) {
        const auto message = QString::fromStdString(userMessage(e));
        summary_->setText(message);
        return message;
    }
}

void ScheduleEditor::exportWithDialog()
{
    auto path = QFileDialog::getSaveFileName(this, tr("Export the schedule"), dialogPath("schedule.json"),
                                             tr("Schedule JSON (*.json)"));
    rememberDialogChoice(path);
    if (path.isEmpty())
        return;
    if (path.endsWith(QStringLiteral(".json")))
        path.chop(5);
    exportTo(path);
}

QString ScheduleEditor::message() const { return summary_->text(); }

// A burst of edits restarts the 40 ms timer for at most kMaxDelayMs, so a long drag still
// previews about every 0.1 s (once the running preview is done) instead of only at its end.
void ScheduleEditor::recompute()
{
    pending_ = true;
    if (!timer_->isActive()) {
        burst_.start();
        timer_->start();
    } else if (burst_.elapsed() < kMaxDelayMs) {
        timer_->start();
    }
}

void ScheduleEditor::start()
{
    if (busy_)
        return; // the running preview's end starts the next one (pending_ stays set)
    pending_ = false;
    SchedulePreviewRequest q;
    try {
        q.schedule = editedSpec();
        q.reference = presetSpec();
    } catch (const std::exception& e) {
        summary_->setText(QString::fromStdString(userMessage(e)));
        return;
    }
    q.ticket = ++ticket_;
    q.ddimSteps = ddimSteps_->value();
    busy_ = true;
    ++started_;
    runningStop_ = StopToken();
    engine_->post(
        [this, q, stop = runningStop_, data = data_] {
            if (!data->has_value())
                data->emplace(makeSchedulePreviewData()); // once: the cached item, ε and x_T
            auto result = computeSchedulePreview(q, **data, stop);
            QMetaObject::invokeMethod(this, [this, r = std::move(result)] { apply(r); }, Qt::QueuedConnection);
        },
        runningStop_);
}

void ScheduleEditor::apply(const SchedulePreview& r)
{
    busy_ = false;
    if (r.ticket == ticket_ && !r.cancelled) { // older tickets and stopped runs are dropped
        if (!r.error.isEmpty()) {
            summary_->setText(r.error);
            Q_EMIT failed(r.error);
        } else {
            result_ = r;
            alphaBarPlot_->setSeries(r.alphaBar);
            snrPlot_->setSeries(r.snr);
            forward_->setImage(r.forward);
            samples_->setImage(r.samples);
            summary_->setText(r.summary);
            Q_EMIT updated();
        }
    }
    if (pending_)
        start();
}

} // namespace ds
