#include "training_panel.h"

#include "core/user_message.h"

#include "training_form.h"
#include "training_scrubber.h"
#include "widgets/common/chart_adapter.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace ds {
namespace {

constexpr int kScrubberPage = 1;

enum Column { NameColumn, DeviceColumn, StateColumn, ProgressColumn, EtaColumn, LossColumn, ColumnCount };

QString etaText(double seconds)
{
    if (!(seconds > 0) || !std::isfinite(seconds))
        return QStringLiteral("—");
    const int s = int(seconds);
    return s >= 3600 ? QStringLiteral("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60)
                     : QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
}

// Every step's loss is kept; the chart shows a running mean over ~1% of the run (at least 10
// steps) on a log scale, so trends stay readable over noisy single-batch losses.
QVector<QPointF> smoothed(const QVector<QPointF>& raw)
{
    const int n = int(raw.size());
    const int window = std::max(10, n / 100);
    const int stride = std::max(1, n / 2000); // at most ~2000 points drawn
    QVector<QPointF> out;
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        sum += raw[i].y();
        if (i >= window)
            sum -= raw[i - window].y();
        if (i % stride == 0 || i + 1 == n)
            out.push_back(QPointF(raw[i].x(), sum / std::min(i + 1, window)));
    }
    return out;
}

PlotSeries lossSeries(const QVector<QPointF>& raw)
{
    PlotSeries series;
    series.name = QStringLiteral("loss");
    series.points = smoothed(raw);
    series.colour = QColor(200, 60, 40);
    return series;
}

} // namespace

TrainingPanel::TrainingPanel(QWidget* parent)
    : QWidget(parent), service_(new TrainingService(this)), form_(new TrainingForm), table_(new QTableWidget(0, ColumnCount)),
      chart_(new PlotWidget), preview_(new QLabel), message_(new QLabel), cancel_(new QPushButton(tr("Cancel"))),
      resume_(new QPushButton(tr("Resume to"))), open_(new QPushButton(tr("Open checkpoint in viewer"))),
      resumeSteps_(new QSpinBox)
{
    table_->setHorizontalHeaderLabels({tr("Job"), tr("Device"), tr("State"), tr("Progress"), tr("ETA"), tr("Loss")});
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setColumnWidth(NameColumn, 200);
    table_->setColumnWidth(ProgressColumn, 170);
    table_->setColumnWidth(EtaColumn, 230);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    chart_->setTitle(tr("Training loss (running mean)"));
    chart_->setAxisTitles(tr("step"), tr("loss"));
    chart_->setLogY(true);
    chart_->setIntegerX(true);
    chart_->setLegendVisible(false); // one curve, named by the title
    preview_->setMinimumSize(240, 240);
    preview_->setAlignment(Qt::AlignCenter);
    preview_->setWordWrap(true);
    preview_->setObjectName(QStringLiteral("preview"));
    preview_->setText(tr("no job selected"));
    message_->setWordWrap(true);
    resumeSteps_->setRange(1, 100000000);
    resumeSteps_->setSuffix(tr(" steps"));
    resumeSteps_->setObjectName(QStringLiteral("resumeSteps"));
    resumeSteps_->setToolTip(tr("Total steps of the resumed run (the schedule of the learning rate is re-laid over it)"));

    auto* buttons = new QHBoxLayout;
    scrub_ = new QPushButton(tr("Scrub checkpoints"));
    scrub_->setToolTip(tr("training × sampling: every checkpoint of this run sampled from one x_T"));
    for (auto* w : std::initializer_list<QWidget*>{cancel_, resume_, resumeSteps_, open_, scrub_})
        buttons->addWidget(w);
    buttons->addStretch();
    auto* lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(chart_);
    lower->addWidget(preview_);
    lower->setStretchFactor(0, 3);
    auto* right = new QVBoxLayout;
    right->addWidget(table_, 1);
    right->addLayout(buttons);
    right->addWidget(message_);
    right->addWidget(lower, 2);
    auto* jobs = new QWidget;
    auto* jobsLayout = new QHBoxLayout(jobs);
    jobsLayout->setContentsMargins(0, 0, 0, 0);
    jobsLayout->addWidget(form_);
    jobsLayout->addLayout(right, 1);
    pages_ = new QTabWidget;
    pages_->addTab(jobs, tr("Jobs"));
    pages_->addTab(new QWidget, tr("Training × sampling")); // made when first shown (scrubber())
    connect(pages_, &QTabWidget::currentChanged, this, [this](int i) {
        if (i == kScrubberPage)
            scrubber();
    });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(pages_);

    connect(form_, &TrainingForm::startRequested, this, &TrainingPanel::startFromForm);
    connect(cancel_, &QPushButton::clicked, this, &TrainingPanel::cancelSelected);
    connect(resume_, &QPushButton::clicked, this, &TrainingPanel::resumeSelected);
    connect(open_, &QPushButton::clicked, this, [this] {
        const int selected = selectedJob();
        const auto checkpoint = selected < 0 ? std::string() : service_->job(selected).checkpoint;
        if (!checkpoint.empty())
            Q_EMIT openCheckpointRequested(QString::fromStdString(checkpoint));
    });
    connect(scrub_, &QPushButton::clicked, this, &TrainingPanel::scrubSelected);
    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] { showJob(selectedJob()); });
    connect(service_, &TrainingService::jobChanged, this, &TrainingPanel::onJobChanged);
    connect(service_, &TrainingService::progressed, this, &TrainingPanel::onProgress);
    connect(service_, &TrainingService::lossPoints, this, &TrainingPanel::onLossPoints);
    connect(service_, &TrainingService::previewReady, this, &TrainingPanel::onPreview);
    updateButtons();
}

// The scrubber starts its engine thread when first asked for.
TrainingScrubber& TrainingPanel::scrubber()
{
    if (!scrubber_) {
        scrubber_ = new TrainingScrubber;
        const QSignalBlocker block(pages_);
        const bool current = pages_->currentIndex() == kScrubberPage;
        delete pages_->widget(kScrubberPage);
        pages_->insertTab(kScrubberPage, scrubber_, tr("Training × sampling"));
        if (current)
            pages_->setCurrentIndex(kScrubberPage);
    }
    return *scrubber_;
}

void TrainingPanel::scrubSelected()
{
    const int selected = selectedJob();
    const auto checkpoint = selected < 0 ? std::string() : service_->job(selected).checkpoint;
    if (checkpoint.empty())
        return;
    pages_->setCurrentIndex(kScrubberPage);
    scrubber().setRunFolder(QFileInfo(QString::fromStdString(checkpoint)).absolutePath());
}

int TrainingPanel::startFromForm()
{
    QString error;
    int id = -1;
    try {
        id = service_->start(form_->config(), &error);
    } catch (const std::exception& e) {
        error = QString::fromStdString(ds::userMessage(e));
    }
    if (id < 0) {
        message_->setText(tr("Not started: %1").arg(error));
        Q_EMIT errorOccurred(error);
        return -1;
    }
    form_->advanceName();
    onJobChanged(service_->job(id));
    table_->selectRow(rowOf(id));
    return id;
}

void TrainingPanel::cancelSelected()
{
    if (selectedJob() >= 0)
        service_->cancel(selectedJob());
}

int TrainingPanel::resumeSelected()
{
    const int selected = selectedJob();
    if (selected < 0)
        return -1;
    // Ask the queue, not the last queued update: the job may have just written its checkpoint.
    const auto checkpoint = service_->job(selected).checkpoint;
    if (checkpoint.empty())
        return -1;
    QString error;
    const int id = service_->resume(QString::fromStdString(checkpoint), resumeSteps_->value(), &error);
    if (id < 0) {
        message_->setText(tr("Not resumed: %1").arg(error));
        Q_EMIT errorOccurred(error);
        return -1;
    }
    losses_[id] = losses_[selected]; // the curve continues where it stopped
    onJobChanged(service_->job(id));
    table_->selectRow(rowOf(id));
    return id;
}

int TrainingPanel::selectedJob() const
{
    const auto rows = table_->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : table_->item(rows.front().row(), NameColumn)->data(Qt::UserRole).toInt();
}

int TrainingPanel::rowOf(int id)
{
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->item(r, NameColumn)->data(Qt::UserRole).toInt() == id)
            return r;
    const int r = table_->rowCount();
    table_->insertRow(r);
    for (int c = 0; c < ColumnCount; ++c)
        table_->setItem(r, c, new QTableWidgetItem);
    table_->item(r, NameColumn)->setData(Qt::UserRole, id);
    auto* bar = new QProgressBar;
    bar->setRange(0, 1000);
    table_->setCellWidget(r, ProgressColumn, bar);
    return r;
}

void TrainingPanel::onJobChanged(const JobSnapshot& s)
{
    snapshots_[s.id] = s;
    const int r = rowOf(s.id);
    table_->item(r, NameColumn)->setText(QString::fromStdString(s.name));
    table_->item(r, DeviceColumn)->setText(QString::fromStdString(s.device));
    table_->item(r, StateColumn)->setText(QString::fromStdString(std::string(name(s.state))));
    table_->item(r, StateColumn)->setToolTip(QString::fromStdString(s.message));
    onProgress(s.id, s.progress);
    if (s.id == selectedJob())
        message_->setText(QString::fromStdString(s.message + (s.checkpoint.empty() ? "" : "\ncheckpoint: " + s.checkpoint)));
    // A new checkpoint of the run being scrubbed: sample it too.
    if (scrubber_ && !s.checkpoint.empty()
        && QFileInfo(QString::fromStdString(s.checkpoint)).absolutePath() == QFileInfo(scrubber_->runFolder()).absoluteFilePath())
        scrubber_->rescan();
    updateButtons();
}

void TrainingPanel::onProgress(int id, const TrainingProgress& p)
{
    const int r = rowOf(id);
    if (auto* bar = qobject_cast<QProgressBar*>(table_->cellWidget(r, ProgressColumn))) {
        bar->setValue(p.steps > 0 ? int(1000 * p.step / p.steps) : 0);
        bar->setFormat(QStringLiteral("%1 / %2").arg(p.step).arg(p.steps));
    }
    const bool running = snapshots_.count(id) && snapshots_[id].state == JobState::Running;
    const auto rate = QStringLiteral(" · %1 %2/s").arg(p.imagesPerSecond, 0, 'f', 1).arg(service_->sampleUnit(id));
    table_->item(r, EtaColumn)->setText(running ? etaText(p.etaSeconds) + rate : QStringLiteral("—"));
    table_->item(r, LossColumn)->setText(p.step > 0 ? QString::number(p.smoothedLoss, 'g', 4) : QStringLiteral("—"));
}

void TrainingPanel::onLossPoints(int id, const QVector<QPointF>& points)
{
    losses_[id] += points;
    if (id == selectedJob())
        chart_->setSeries({lossSeries(losses_[id])});
}

void TrainingPanel::onPreview(int id, int step, const QImage& image)
{
    previews_[id] = image;
    previewSteps_[id] = step;
    if (id == selectedJob())
        showJob(id);
}

QString TrainingPanel::previewPlaceholder(int id) const
{
    if (id < 0)
        return tr("no job selected");
    const auto every = service_->previewEvery(id);
    if (every <= 0)
        return tr("this job makes no previews (preview every: never)");
    return tr("the first preview appears at step %1 (then every %1 steps)").arg(every);
}

void TrainingPanel::showJob(int id)
{
    chart_->setSeries(id >= 0 && losses_.count(id) ? QVector<PlotSeries>{lossSeries(losses_[id])} : QVector<PlotSeries>{});
    auto it = previews_.find(id);
    if (it != previews_.end()) { // nearest-neighbour scaling keeps the pixels crisp
        preview_->setPixmap(QPixmap::fromImage(it->second.scaled(preview_->size(), Qt::KeepAspectRatio, Qt::FastTransformation)));
        preview_->setToolTip(tr("EMA samples at step %1").arg(previewSteps_[id]));
    } else {
        preview_->setPixmap({});
        preview_->setText(previewPlaceholder(id));
    }
    auto snap = snapshots_.find(id);
    if (snap != snapshots_.end()) {
        message_->setText(QString::fromStdString(snap->second.message));
        resumeSteps_->setValue(int(std::max<int64_t>(snap->second.progress.steps, 1)));
    }
    updateButtons();
}

QImage TrainingPanel::previewImage() const
{
    const auto it = previews_.find(selectedJob());
    return it == previews_.end() ? QImage() : it->second;
}

QString TrainingPanel::previewText() const { return preview_->text(); }

void TrainingPanel::updateButtons()
{
    auto it = snapshots_.find(selectedJob());
    const bool have = it != snapshots_.end();
    const bool active = have && (it->second.state == JobState::Running || it->second.state == JobState::Queued);
    cancel_->setEnabled(active);
    resume_->setEnabled(have && !active && !it->second.checkpoint.empty());
    open_->setEnabled(have && !it->second.checkpoint.empty());
    scrub_->setEnabled(have && !it->second.checkpoint.empty());
}

} // namespace ds
