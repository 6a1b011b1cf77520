#include "snr_panel.h"

#include "schedule_editor.h"
#include "snr_image_source.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/common/colour_legend.h"
#include "widgets/common/dialog_folder.h"
#include "widgets/common/image_canvas.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <c10/core/GradMode.h>

namespace ds {
namespace {

constexpr int kTimeTicks = 1000;
constexpr int kMaxPixels = 6;
constexpr int kEditorPage = 1;

// Two default pixels: the centre and a point near the top-left corner (background in most
// Fashion-MNIST items), so the charts show a bright and a dark pixel at once.
QVector<QPoint> defaultPixels(QSize size)
{
    if (size.isEmpty())
        return {{14, 14}, {3, 3}};
    return {{size.width() / 2, size.height() / 2}, {size.width() / 8, size.height() / 8}};
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

QSpinBox* spinBox(int lo, int hi, int value, const QString& tip)
{
    auto* spin = new QSpinBox;
    spin->setRange(lo, hi);
    spin->setValue(value);
    spin->setToolTip(tip);
    return spin;
}

} // namespace

SnrPanel::SnrPanel(QWidget* parent) : QWidget(parent)
{
    timer_ = new QTimer(this);
    timer_->setSingleShot(true);
    timer_->setInterval(40); // coalesces bursts of edits (spin boxes, slider drags) into one job
    connect(timer_, &QTimer::timeout, this, &SnrPanel::start);

    snrPlot_ = makePlot(tr("Per-pixel SNR (seed 002 eq. 11): pixel-aware (solid) vs linear DDPM (dashed)"),
                        tr("SNR"), true);
    meanPlot_ = makePlot(tr("E[x_t] = √ᾱ x0 (seed 002 Fig. 2)"), tr("mean"), false);
    variancePlot_ = makePlot(tr("Var[x_t] = 1 − ᾱ"), tr("variance"), false);
    meanPlot_->setLegendVisible(false); // the colours are the SNR chart's
    variancePlot_->setLegendVisible(false);
    auto* lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(meanPlot_);
    lower->addWidget(variancePlot_);
    auto* charts = new QSplitter(Qt::Vertical);
    charts->addWidget(snrPlot_);
    charts->addWidget(lower);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 2);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(makeControls());
    split->addWidget(charts);
    split->setStretchFactor(1, 1);
    pages_ = new QTabWidget;
    pages_->addTab(split, tr("Pixel-aware vs linear"));
    pages_->addTab(new QWidget, tr("Schedule editor")); // made when first shown (scheduleEditor())
    connect(pages_, &QTabWidget::currentChanged, this, [this](int i) {
        if (i == kEditorPage)
            scheduleEditor();
    });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(pages_);

    connect(canvas_, &ImageCanvas::clicked, this, &SnrPanel::addPixel);
    setSource(fashionSource(0));
}

SnrPanel::~SnrPanel() = default;

// The editor starts its engine thread and loads its data when first asked for, so an app that
// never opens it pays nothing.
ScheduleEditor& SnrPanel::scheduleEditor()
{
    if (!editor_) {
        editor_ = new ScheduleEditor;
        const QSignalBlocker block(pages_);
        const bool current = pages_->currentIndex() == kEditorPage;
        delete pages_->widget(kEditorPage);
        pages_->insertTab(kEditorPage, editor_, tr("Schedule editor"));
        if (current)
            pages_->setCurrentIndex(kEditorPage);
    }
    return *editor_;
}

void SnrPanel::showScheduleEditor() { pages_->setCurrentIndex(kEditorPage); }

QWidget* SnrPanel::makeSourceRow()
{
    sourceBox_ = new QComboBox;
    sourceBox_->addItem(tr("Fashion-MNIST item"), fashionSource(0));
    for (const auto& path : samplePhotoPaths())
        sourceBox_->addItem(QFileInfo(path).fileName(), path);
    sourceBox_->addItem(tr("Open image…"), QString());
    item_ = new QSpinBox;
    item_->setRange(0, 999);
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(sourceBox_, 1);
    layout->addWidget(item_);
    connect(sourceBox_, &QComboBox::activated, this, [this](int i) {
        auto path = sourceBox_->itemData(i).toString();
        if (path.isEmpty()) { // "Open image…"
            path = QFileDialog::getOpenFileName(this, tr("Open an image"), dialogFolder(), tr("Images (*.png *.jpg *.jpeg *.bmp)"));
            rememberDialogChoice(path);
        }
        if (path.startsWith(QStringLiteral("fashion-mnist:")))
            path = fashionSource(item_->value());
        if (!path.isEmpty())
            setSource(path);
    });
    connect(item_, &QSpinBox::valueChanged, this, [this](int i) {
        if (source_.startsWith(QStringLiteral("fashion-mnist:")))
            setSource(fashionSource(i));
    });
    return row;
}

// The schedules' parameters: pixel-aware T and γ, linear DDPM's T, value bins.
void SnrPanel::addScheduleRows(QFormLayout* form)
{
    T_ = spinBox(2, 4000, 200, tr("pixel-aware steps T"));
    gamma_ = new QDoubleSpinBox;
    gamma_->setRange(0.5, 500);
    gamma_->setValue(20);
    gamma_->setToolTip(tr("ᾱ_i = exp(−γ i x̃0 / T); seed 002 uses T=200, γ=20 (32×32) and T=500, γ=50 (128×128)"));
    linearT_ = spinBox(2, 4000, 1000, tr("linear DDPM: β = linspace(1e-4, 0.02, T)"));
    bins_ = spinBox(0, 10, 4, tr("pixel-value bins over [ε, 1]; each bin plots a pixel of the bin's mean value"));
    form->addRow(tr("Pixel-aware T"), T_);
    form->addRow(tr("γ"), gamma_);
    form->addRow(tr("Linear DDPM T"), linearT_);
    form->addRow(tr("Value bins"), bins_);
}

// The current t and the map drawn at it.
void SnrPanel::addMapRows(QFormLayout* form)
{
    time_ = new QSlider(Qt::Horizontal);
    time_->setRange(1, kTimeTicks);
    time_->setValue(kTimeTicks / 2);
    timeLabel_ = new QLabel;
    form->addRow(tr("t / T"), time_);
    form->addRow(QString(), timeLabel_);
    mapKind_ = new QComboBox;
    mapKind_->addItems({tr("SNR"), tr("Variance"), tr("KL to N(0,1)")});
    mapSchedule_ = new QComboBox;
    mapSchedule_->addItems({tr("pixel-aware"), tr("linear DDPM")});
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setRange(0, 100);
    opacity_->setValue(75);
    form->addRow(tr("Map"), mapKind_);
    form->addRow(tr("Map of"), mapSchedule_);
    form->addRow(tr("Overlay"), opacity_);
}

QWidget* SnrPanel::makeControls()
{
    auto* form = new QFormLayout;
    form->addRow(tr("Image"), makeSourceRow());
    channel_ = new QComboBox;
    channel_->addItems({tr("R / gray"), tr("G"), tr("B")});
    form->addRow(tr("Channel"), channel_);
    addScheduleRows(form);
    addMapRows(form);
    auto* clear = new QPushButton(tr("Clear pixels"));
    form->addRow(QString(), clear);
    connect(clear, &QPushButton::clicked, this, &SnrPanel::clearPixels);

    canvas_ = new ImageCanvas;
    canvas_->setToolTip(tr("click pixels to plot them (up to %1)").arg(kMaxPixels));
    legend_ = new ColourLegend;
    mapTitle_ = new QLabel;
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* imageRow = new QHBoxLayout;
    imageRow->addWidget(canvas_, 1);
    imageRow->addWidget(legend_);
    auto* box = new QWidget;
    auto* column = new QVBoxLayout(box);
    column->addLayout(form);
    column->addWidget(mapTitle_);
    column->addLayout(imageRow, 1);
    column->addWidget(summary_);
    connectControls();
    updateTimeLabel();
    return box;
}

// Every edit recomputes (coalesced); the overlay's opacity only redraws.
void SnrPanel::connectControls()
{
    for (auto* spin : {T_, linearT_, bins_})
        connect(spin, &QSpinBox::valueChanged, this, &SnrPanel::recompute);
    connect(gamma_, &QDoubleSpinBox::valueChanged, this, &SnrPanel::recompute);
    for (auto* combo : {channel_, mapKind_, mapSchedule_})
        connect(combo, &QComboBox::currentIndexChanged, this, &SnrPanel::recompute);
    connect(time_, &QSlider::valueChanged, this, &SnrPanel::recompute);
    connect(opacity_, &QSlider::valueChanged, this, [this](int v) { canvas_->setOverlay(result_.map, v / 100.0); });
}

void SnrPanel::setSource(const QString& source)
{
    const bool fashion = source.startsWith(QStringLiteral("fashion-mnist:"));
    {
        const QSignalBlocker block(sourceBox_);
        int i = fashion ? 0 : sourceBox_->findData(source);
        if (i < 0) { // a file chosen with "Open image…": list it above that entry
            sourceBox_->insertItem(sourceBox_->count() - 1, QFileInfo(source).fileName(), source);
            i = sourceBox_->count() - 2;
        }
        sourceBox_->setCurrentIndex(i);
    }
    item_->setEnabled(fashion);
    const bool sameSize = source_.startsWith(QStringLiteral("fashion-mnist:")) && source.startsWith(QStringLiteral("fashion-mnist:"));
    source_ = source;
    if (!sameSize || pixels_.isEmpty())
        nextSlot_ = 0, pixels_ = defaultPixels(source.startsWith(QStringLiteral("fashion-mnist:")) ? QSize() : QSize(128, 128));
    recompute();
}

void SnrPanel::addPixel(QPoint pixel)
{
    if (pixels_.contains(pixel))
        return;
    if (pixels_.size() >= kMaxPixels) { // the oldest pixel's slot (and colour) goes to the new one
        pixels_[nextSlot_] = pixel;
        nextSlot_ = (nextSlot_ + 1) % kMaxPixels;
    } else {
        pixels_.append(pixel);
    }
    recompute();
}

void SnrPanel::clearPixels()
{
    pixels_.clear();
    nextSlot_ = 0;
    recompute();
}

void SnrPanel::setSchedule(int T, double gamma)
{
    T_->setValue(T);
    gamma_->setValue(gamma);
    recompute();
}

void SnrPanel::setTime(double time) { time_->setValue(int(std::lround(time * kTimeTicks))); }

void SnrPanel::setMapKind(SnrMapKind kind) { mapKind_->setCurrentIndex(int(kind)); }

void SnrPanel::updateTimeLabel()
{
    const double u = double(time_->value()) / kTimeTicks;
    timeLabel_->setText(tr("t/T = %1  (pixel-aware t = %2, linear t = %3)")
                            .arg(u, 0, 'f', 3)
                            .arg(snrIndexAt(u, T_->value()) + 1)
                            .arg(snrIndexAt(u, linearT_->value()) + 1));
}

SnrRequest SnrPanel::request() const
{
    SnrRequest q;
    q.ticket = ticket_;
    q.source = source_;
    q.channel = channel_->currentIndex();
    q.pixelAware = ScheduleSpec::pixelAware(T_->value(), gamma_->value());
    q.linear = ScheduleSpec::linear(linearT_->value());
    q.pixels = pixels_;
    q.bins = bins_->value();
    q.time = double(time_->value()) / kTimeTicks;
    q.map = SnrMapKind(mapKind_->currentIndex());
    q.mapPixelAware = mapSchedule_->currentIndex() == 0;
    return q;
}

void SnrPanel::recompute()
{
    updateTimeLabel();
    pending_ = true;
    timer_->start();
}

void SnrPanel::start()
{
    if (busy_)
        return; // the running job's end starts the next one (pending_ stays set)
    pending_ = false;
    busy_ = true;
    ++ticket_;
    auto* watcher = new QFutureWatcher<SnrResult>(this);
    connect(watcher, &QFutureWatcher<SnrResult>::finished, this, [this, watcher] {
        busy_ = false;
        const auto r = watcher->result();
        watcher->deleteLater();
        if (r.ticket == ticket_)
            apply(r);
        if (pending_)
            start();
    });
    watcher->setFuture(QtConcurrent::run([q = request()] {
        c10::NoGradGuard noGrad; // thread-local: opened in the pool thread
        return analyzeSnr(q);
    }));
}

void SnrPanel::apply(const SnrResult& r)
{
    if (!r.error.isEmpty()) {
        summary_->setText(r.error);
        Q_EMIT failed(r.error);
        return;
    }
    result_ = r;
    if (!pending_) // a click since this job started is in pixels_ and the next result
        pixels_ = r.pixels; // drops only the pixels outside the image
    canvas_->setImage(r.image);
    canvas_->setOverlay(r.map, opacity_->value() / 100.0);
    QVector<QColor> colours; // each box in its curve's colour (the pixel curves come first)
    for (int i = 0; i < r.pixels.size() && i < r.snr.size(); ++i)
        colours.append(r.snr[i].colour);
    canvas_->setMarkers(r.pixels, colours);
    channel_->setEnabled(r.channels == 3);
    legend_->setScale(r.scale);
    mapTitle_->setText(r.mapTitle);
    summary_->setText(r.summary);
    snrPlot_->setSeries(r.snr);
    meanPlot_->setSeries(r.mean);
    variancePlot_->setSeries(r.variance);
    const double u = double(time_->value()) / kTimeTicks;
    for (auto* plot : {snrPlot_, meanPlot_, variancePlot_})
        plot->setMarkerX(u);
    Q_EMIT updated();
}

QString SnrPanel::summaryText() const { return summary_->text(); }

} // namespace ds
