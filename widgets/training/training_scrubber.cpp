#include "training_scrubber.h"

#include "widgets/common/chart_adapter.h"
#include "widgets/common/dialog_folder.h"
#include "widgets/common/image_canvas.h"
#include "widgets/engine/engine_thread.h"

#include "core/io/checkpoint.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>
#include <map>
#include <set>

namespace ds {
namespace {

constexpr int kGridRows = 6;   // sampling steps shown as grid rows (x_T and the sample included)
constexpr int kCell = 84, kGap = 4, kLabelWidth = 64, kHeaderHeight = 18; // kCell: scrubber_columns.cpp

// Engine-thread state of the scans: the x_T per sample shape and the metric per data set, made
// once and reused, so every column starts from the same x_T.
struct ScanCache {
    ScrubberSettings settings;
    std::map<std::array<int64_t, 3>, at::Tensor> starts;
    std::string metricKey;
    std::shared_ptr<ScrubberMetric> metric;
    QString metricName;
};

const at::Tensor& startFor(ScanCache& cache, const std::array<int64_t, 3>& shape)
{
    auto it = cache.starts.find(shape);
    if (it == cache.starts.end())
        it = cache.starts.emplace(shape, scrubberStart(shape, cache.settings)).first;
    return it->second;
}

// The metric of a checkpoint's data set; a missing classifier leaves the curve empty, named why.
const ScrubberMetric* metricFor(ScanCache& cache, const CheckpointHeader& h)
{
    const auto key = h.dataset + "/" + std::to_string(h.shape[0]) + "x" + std::to_string(h.shape[1]) + "x"
                     + std::to_string(h.shape[2]);
    if (key != cache.metricKey) {
        cache.metricKey = key;
        try {
            cache.metric = ScrubberMetric::forData(h.dataset, h.shape, h.range);
            cache.metricName = cache.metric->name();
        } catch (const std::exception& e) {
            cache.metric.reset();
            cache.metricName = QObject::tr("no metric (%1)").arg(QString::fromStdString(userMessage(e)));
        }
    }
    return cache.metric.get();
}

QSpinBox* spin(int lo, int hi, int value, const QString& tip)
{
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    return s;
}

} // namespace

TrainingScrubber::TrainingScrubber(QWidget* parent) : QWidget(parent)
{
    engine_ = new EngineThread(this);
    connect(engine_, &EngineThread::jobFailed, this, [this](const QString& m) { onScanEnded(m); });
    gridView_ = new ImageCanvas;
    gridView_->setZoom(0); // fit
    gridView_->setToolTip(tr("columns: checkpoints in step order; rows: sampling steps (all from one x_T); click a cell"));
    view_ = new ImageCanvas;
    view_->setToolTip(tr("the samples at the chosen checkpoint and sampling step"));
    checkpointSlider_ = new QSlider(Qt::Horizontal);
    stepSlider_ = new QSlider(Qt::Horizontal);
    checkpointLabel_ = new QLabel;
    stepLabel_ = new QLabel;
    metricPlot_ = new PlotWidget;
    metricPlot_->setAxisTitles(tr("training step"), tr("score"));
    metricPlot_->setIntegerX(true);
    metricPlot_->setLegendVisible(false);
    metricPlot_->setMinimumHeight(240);
    metricPlot_->setToolTip(tr("lower is better; rough with few samples: compare checkpoints with each other"));

    auto* sliders = new QFormLayout;
    sliders->addRow(tr("Checkpoint"), checkpointSlider_);
    sliders->addRow(QString(), checkpointLabel_);
    sliders->addRow(tr("Sampling step"), stepSlider_);
    sliders->addRow(QString(), stepLabel_);
    auto* right = new QWidget;
    auto* rightColumn = new QVBoxLayout(right);
    rightColumn->setContentsMargins(0, 0, 0, 0);
    rightColumn->addWidget(view_, 1);
    rightColumn->addLayout(sliders);
    auto* upper = new QSplitter(Qt::Horizontal);
    upper->addWidget(gridView_);
    upper->addWidget(right);
    upper->setStretchFactor(0, 3);
    upper->setStretchFactor(1, 2);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(upper);
    split->addWidget(metricPlot_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(makeTopRow());
    layout->addWidget(split, 1);

    connect(checkpointSlider_, &QSlider::valueChanged, this, [this] { updateView(); });
    connect(stepSlider_, &QSlider::valueChanged, this, [this] { updateView(); });
    connect(gridView_, &ImageCanvas::clicked, this, [this](QPoint pixel) {
        const auto [column, row] = cellAt(pixel);
        if (column >= 0) {
            setCheckpointIndex(column);
            setStepIndex(gridRows()[size_t(row)]);
        }
    });
    updateSliders();
    updateView();
}

TrainingScrubber::~TrainingScrubber()
{
    stop_.requestStop();
    engine_->shutdown(); // joins: no column may arrive at a half-destroyed scrubber
}

QWidget* TrainingScrubber::makeTopRow()
{
    folderEdit_ = new QLineEdit;
    folderEdit_->setPlaceholderText(tr("run folder (runs/<name>/ with step_*.dsckpt)"));
    auto* browse = new QPushButton(tr("Browse…"));
    auto* scan = new QPushButton(tr("Scan"));
    scan->setToolTip(tr("sample the checkpoints not sampled yet (a running training adds new ones)"));
    samples_ = spin(4, 256, 32, tr("samples per checkpoint (the metric is rough with few; the CPU stays free)"));
    steps_ = spin(1, 200, 20, tr("DDIM steps (η = 0: the path is fixed by x_T)"));
    cancel_ = new QPushButton(tr("Cancel"));
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat(tr("%v / %m checkpoints"));
    status_ = new QLabel;
    auto* row = new QWidget;
    auto* top = new QHBoxLayout(row);
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(folderEdit_, 3);
    top->addWidget(browse);
    top->addWidget(scan);
    top->addWidget(new QLabel(tr("Samples")));
    top->addWidget(samples_);
    top->addWidget(new QLabel(tr("DDIM steps")));
    top->addWidget(steps_);
    top->addWidget(progress_, 1);
    top->addWidget(cancel_);
    auto* box = new QWidget;
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(row);
    column->addWidget(status_);
    connect(browse, &QPushButton::clicked, this, [this] {
        const auto dir = QFileDialog::getExistingDirectory(this, tr("Choose a run folder"), dialogFolder());
        rememberDialogChoice(dir);
        if (!dir.isEmpty())
            setRunFolder(dir);
    });
    connect(scan, &QPushButton::clicked, this, [this] { setRunFolder(folderEdit_->text()); });
    connect(folderEdit_, &QLineEdit::returnPressed, this, [this] { setRunFolder(folderEdit_->text()); });
    connect(cancel_, &QPushButton::clicked, this, &TrainingScrubber::cancel);
    for (auto* s : {samples_, steps_})
        connect(s, &QSpinBox::editingFinished, this, [this] { setSettings(settings()); });
    return box;
}

void TrainingScrubber::setRunFolder(const QString& dir)
{
    if (dir != folder_) {
        ++generation_;
        stop_.requestStop();
        columns_.clear();
        folder_ = dir;
        folderEdit_->setText(dir);
        updateSliders();
        redrawGrid();
        updateMetricPlot();
        updateView();
    }
    rescan();
}

ScrubberSettings TrainingScrubber::settings() const
{
    ScrubberSettings s;
    s.samples = samples_->value();
    s.steps = steps_->value();
    return s;
}

void TrainingScrubber::setSettings(const ScrubberSettings& s)
{
    {
        const QSignalBlocker a(samples_), b(steps_);
        samples_->setValue(s.samples);
        steps_->setValue(s.steps);
    }
    for (const auto& c : columns_) // the cache holds these settings already: nothing to do
        if (c.frames.defined()) {
            if (c.frames.size(1) == s.samples && c.frames.size(0) == s.steps + 1)
                return;
            break;
        }
    ++generation_; // another x_T or grid: every column is resampled
    stop_.requestStop();
    columns_.clear();
    updateSliders();
    redrawGrid();
    updateMetricPlot();
    updateView();
    rescan();
}

void TrainingScrubber::rescan()
{
    if (folder_.isEmpty())
        return;
    if (busy_) {
        pendingScan_ = true; // after the running scan ends
        return;
    }
    startScan();
}

void TrainingScrubber::cancel()
{
    pendingScan_ = false;
    stop_.requestStop();
}

// One engine job walks the folder's checkpoints not in the cache, in step order, and sends
// each column back as soon as it is sampled.
void TrainingScrubber::startScan()
{
    pendingScan_ = false;
    busy_ = true;
    stop_ = StopToken();
    std::set<std::string> known;
    for (const auto& c : columns_)
        known.insert(c.path);
    auto cache = std::make_shared<ScanCache>();
    cache->settings = settings();
    status_->setText(tr("scanning %1 …").arg(folder_));
    engine_->post(
        [this, dir = folder_.toStdString(), known, cache, gen = generation_, stop = stop_] {
            auto send = [this, gen](auto f) {
                QMetaObject::invokeMethod(this, [this, gen, f] { if (gen == generation_) f(); }, Qt::QueuedConnection);
            };
            std::vector<std::pair<int64_t, std::string>> todo;
            for (auto& entry : scrubberCheckpoints(dir))
                if (!known.count(entry.second))
                    todo.push_back(entry);
            const int total = int(todo.size());
            send([this, total] { onProgress(0, total); });
            for (int i = 0; i < total && !stop.stopRequested(); ++i) {
                const auto header = readCheckpointHeader(todo[size_t(i)].second);
                const auto* metric = metricFor(*cache, header);
                auto column = computeScrubberColumn(todo[size_t(i)].second, header.step, startFor(*cache, header.shape),
                                                    cache->settings, metric, stop);
                if (stop.stopRequested())
                    break;
                send([this, column, name = cache->metricName] { onColumn(column, name); });
                send([this, i, total] { onProgress(i + 1, total); });
            }
            QMetaObject::invokeMethod(this, [this, stopped = stop.stopRequested()] {
                onScanEnded(stopped ? tr("cancelled") : QString());
            }, Qt::QueuedConnection);
        },
        stop_);
}

void TrainingScrubber::onColumn(const ScrubberColumn& column, const QString& metricName)
{
    metricName_ = metricName;
    auto at = std::lower_bound(columns_.begin(), columns_.end(), column.step,
                               [](const ScrubberColumn& c, int64_t step) { return c.step < step; });
    const int index = int(at - columns_.begin());
    columns_.insert(at, column);
    const bool wasLast = checkpointSlider_->value() + 2 >= int(columns_.size()); // follow the newest
    updateSliders();
    if (wasLast)
        checkpointSlider_->setValue(int(columns_.size()) - 1);
    redrawGrid();
    updateMetricPlot();
    updateView();
    Q_EMIT columnAdded(index);
}

void TrainingScrubber::onProgress(int done, int total)
{
    progress_->setRange(0, std::max(total, 1));
    progress_->setValue(done);
    status_->setText(total == 0 ? tr("%1: no new checkpoints").arg(folder_)
                                : tr("sampling checkpoint %1 of %2 (DDIM, %3 samples, one x_T)")
                                      .arg(std::min(done + 1, total))
                                      .arg(total)
                                      .arg(samples_->value()));
}

void TrainingScrubber::onScanEnded(const QString& message)
{
    busy_ = false;
    if (!message.isEmpty() && message != tr("cancelled")) {
        status_->setText(message);
        Q_EMIT failed(message);
    } else {
        int failures = 0;
        for (const auto& c : columns_)
            failures += c.error.isEmpty() ? 0 : 1;
        status_->setText(tr("%1: %2 checkpoints%3%4")
                             .arg(folder_)
                             .arg(columns_.size())
                             .arg(failures ? tr(", %1 failed").arg(failures) : QString())
                             .arg(message.isEmpty() ? QString() : tr(" (cancelled)")));
    }
    if (pendingScan_)
        startScan();
    else
        Q_EMIT scanFinished();
}

void TrainingScrubber::setCheckpointIndex(int i) { checkpointSlider_->setValue(i); }
void TrainingScrubber::setStepIndex(int j) { stepSlider_->setValue(j); }
int TrainingScrubber::checkpointIndex() const { return columns_.empty() ? -1 : checkpointSlider_->value(); }
int TrainingScrubber::stepIndex() const { return stepSlider_->value(); }

void TrainingScrubber::updateSliders()
{
    const QSignalBlocker a(checkpointSlider_), b(stepSlider_);
    checkpointSlider_->setRange(0, std::max(0, int(columns_.size()) - 1));
    stepSlider_->setRange(0, sampledSteps());
}

// DDIM steps the columns hold (the settings' count clamped to the model's T), else the settings'.
int TrainingScrubber::sampledSteps() const
{
    for (const auto& c : columns_)
        if (c.frames.defined())
            return int(c.frames.size(0)) - 1;
    return steps_->value();
}

std::vector<int> TrainingScrubber::gridRows() const
{
    const int S = sampledSteps(), n = std::min(kGridRows, S + 1);
    std::vector<int> rows;
    for (int r = 0; r < n; ++r)
        rows.push_back(n == 1 ? 0 : int(std::lround(double(r) * S / (n - 1))));
    return rows;
}

std::pair<int, int> TrainingScrubber::cellAt(QPoint p) const
{
    const int c = (p.x() - kLabelWidth) / (kCell + kGap), r = (p.y() - kHeaderHeight) / (kCell + kGap);
    if (p.x() < kLabelWidth || p.y() < kHeaderHeight || c >= int(columns_.size()) || r >= int(gridRows().size()))
        return {-1, -1};
    return {c, r};
}

// Columns: checkpoints (header: training step); rows: sampling steps (label: step and t).
void TrainingScrubber::redrawGrid()
{
    const auto rows = gridRows();
    const int C = int(columns_.size()), R = int(rows.size());
    if (C == 0) {
        grid_ = {};
        gridView_->setImage({});
        gridView_->setNote(folder_.isEmpty() ? tr("choose a run folder") : tr("no checkpoints sampled yet"));
        return;
    }
    grid_ = QImage(kLabelWidth + C * (kCell + kGap), kHeaderHeight + R * (kCell + kGap), QImage::Format_RGB32);
    grid_.fill(QColor(40, 40, 40));
    QPainter p(&grid_);
    QFont font = p.font();
    font.setPixelSize(11);
    p.setFont(font);
    const int current = checkpointSlider_->value(), step = stepSlider_->value();
    for (int c = 0; c < C; ++c) {
        const auto& col = columns_[size_t(c)];
        const int x = kLabelWidth + c * (kCell + kGap);
        p.setPen(c == current ? QColor(255, 170, 60) : QColor(220, 220, 220));
        p.drawText(QRect(x - kGap, 0, kCell + 2 * kGap, kHeaderHeight), Qt::AlignCenter, QString::number(col.step));
        for (int r = 0; r < R; ++r) {
            const QRect cell(x, kHeaderHeight + r * (kCell + kGap), kCell, kCell);
            if (col.error.isEmpty() && size_t(rows[size_t(r)]) < col.cells.size())
                p.drawImage(cell.topLeft(), col.cells[size_t(rows[size_t(r)])]);
            else
                p.fillRect(cell, QColor(120, 30, 30));
        }
    }
    p.setPen(QColor(220, 220, 220));
    const auto& first = columns_.front();
    for (int r = 0; r < R; ++r) {
        const int j = rows[size_t(r)];
        const QString t = size_t(j) < first.t.size() ? QStringLiteral("t=%1").arg(first.t[size_t(j)]) : QString();
        p.drawText(QRect(2, kHeaderHeight + r * (kCell + kGap), kLabelWidth - 6, kCell), Qt::AlignVCenter | Qt::AlignRight,
                   tr("step %1\n%2").arg(j).arg(t));
    }
    // The current checkpoint's column, and the current step's row if the grid shows it.
    p.setPen(QPen(QColor(255, 170, 60), 2));
    p.setBrush(Qt::NoBrush);
    const int x = kLabelWidth + current * (kCell + kGap);
    p.drawRect(x - 2, kHeaderHeight - 2, kCell + 3, R * (kCell + kGap) - kGap + 3);
    for (int r = 0; r < R; ++r)
        if (rows[size_t(r)] == step)
            p.drawRect(x - 3, kHeaderHeight + r * (kCell + kGap) - 3, kCell + 5, kCell + 5);
    p.end();
    gridView_->setNote({});
    gridView_->setImage(grid_);
}

void TrainingScrubber::updateMetricPlot()
{
    PlotSeries s;
    s.name = metricName_.isEmpty() ? tr("metric") : metricName_;
    s.colour = QColor(200, 60, 40);
    for (const auto& c : columns_)
        if (std::isfinite(c.metric))
            s.points.append({double(c.step), c.metric});
    metricPlot_->setTitle(tr("%1 per checkpoint (%2 samples, DDIM %3 steps, one x_T)")
                              .arg(s.name)
                              .arg(samples_->value())
                              .arg(sampledSteps()));
    metricPlot_->setSeries(s.points.isEmpty() ? QVector<PlotSeries>{} : QVector<PlotSeries>{s});
    const int i = checkpointSlider_->value();
    metricPlot_->setMarkerX(size_t(i) < columns_.size() ? double(columns_[size_t(i)].step) : std::nan(""));
}

QImage TrainingScrubber::currentImage() const
{
    const int i = checkpointSlider_->value(), j = stepSlider_->value();
    if (size_t(i) >= columns_.size() || size_t(j) >= columns_[size_t(i)].grids.size())
        return {};
    return columns_[size_t(i)].grids[size_t(j)];
}

void TrainingScrubber::updateView()
{
    const int i = checkpointSlider_->value(), j = stepSlider_->value();
    if (size_t(i) >= columns_.size()) {
        checkpointLabel_->setText(tr("no checkpoint"));
        stepLabel_->setText(tr("step %1 / %2").arg(j).arg(sampledSteps()));
        view_->setImage({});
        return;
    }
    const auto& c = columns_[size_t(i)];
    checkpointLabel_->setText(tr("training step %1 (%2 of %3)%4")
                                  .arg(c.step)
                                  .arg(i + 1)
                                  .arg(columns_.size())
                                  .arg(std::isfinite(c.metric) ? tr(", %1 = %2").arg(metricName_).arg(c.metric, 0, 'g', 4)
                                                               : QString()));
    const QString t = size_t(j) < c.t.size() ? tr(", t = %1").arg(c.t[size_t(j)]) : QString();
    stepLabel_->setText(j == 0 ? tr("x_T (the same for every checkpoint)%1").arg(t)
                               : tr("after step %1 of %2%3").arg(j).arg(sampledSteps()).arg(t));
    view_->setImage(currentImage());
    view_->setNote(c.error);
    redrawGrid();
    updateMetricPlot();
}

QString TrainingScrubber::status() const { return status_->text(); }

} // namespace ds
