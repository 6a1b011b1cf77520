#include "health_view.h"

#include "core/instruments/health_export.h"
#include "plot_line.h"

#include "widgets/common/chart_adapter.h"
#include "widgets/common/dialog_folder.h"
#include "widgets/engine/job_progress.h"
#include "widgets/engine/model_session.h"

#include "core/denoisers/denoiser.h"
#include "core/samplers/sampler_registry.h"
#include "core/user_message.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace ds {
namespace {

QString num(double v) { return std::isnan(v) ? QStringLiteral("—") : QString::number(v, 'g', 6); }

QString stats(const ValueStats& s)
{
    return QStringLiteral("mean %1, std %2, min %3, max %4").arg(num(s.mean), num(s.std), num(s.min), num(s.max));
}

QSpinBox* spin(int lo, int hi, int value)
{
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
}

} // namespace

HealthView::HealthView(ModelSession& model, QWidget* parent) : QWidget(parent), model_(model)
{
    setObjectName(QStringLiteral("healthView"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeForm());
    progress_ = new JobProgress;
    layout->addWidget(progress_);
    verdict_ = new QLabel(tr("Measure the open model on held-out data: press Run."));
    verdict_->setWordWrap(true);
    verdict_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(verdict_);
    stats_ = new QLabel;
    stats_->setWordWrap(true);
    stats_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(stats_);
    auto* split = new QSplitter(Qt::Horizontal);
    table_ = new QTableWidget(0, 4);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    split->addWidget(table_);
    chart_ = new PlotWidget;
    chart_->setTitle(tr("Prediction error per t bucket (held-out data)"));
    chart_->setLogY(true);
    chart_->setIntegerX(true);
    split->addWidget(chart_);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
    connect(progress_, &JobProgress::cancelRequested, this, &HealthView::cancel);
}

QWidget* HealthView::makeForm()
{
    auto* box = new QWidget;
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    count_ = spin(1, 100000, 256);
    oracleCount_ = spin(0, 60000, 2000);
    oracleCount_->setToolTip(tr("training items of the exact empirical oracle (0: no oracle column)"));
    buckets_ = spin(1, 1000, 10);
    sampler_ = new QComboBox;
    for (const auto& e : samplerRegistry())
        if (e.role == ModelRole::Denoiser)
            sampler_->addItem(QString::fromUtf8(e.name.data(), int(e.name.size())));
    sampler_->setCurrentText(QStringLiteral("ddim"));
    steps_ = spin(1, 1000, 50);
    samples_ = spin(1, 1024, 16);
    seed_ = spin(0, 1 << 30, 0);
    runButton_ = new QPushButton(tr("Run"));
    jsonButton_ = new QPushButton(tr("Export JSON…"));
    csvButton_ = new QPushButton(tr("Export CSV…"));
    jsonButton_->setEnabled(false);
    csvButton_->setEnabled(false);
    connect(runButton_, &QPushButton::clicked, this, &HealthView::run);
    connect(jsonButton_, &QPushButton::clicked, this, [this] { exportWithDialog(true); });
    connect(csvButton_, &QPushButton::clicked, this, [this] { exportWithDialog(false); });
    const std::pair<QString, QWidget*> fields[] = {{tr("Held-out"), count_}, {tr("Oracle items"), oracleCount_},
                                                   {tr("Buckets"), buckets_}, {tr("Sampler"), sampler_},
                                                   {tr("Steps"), steps_},   {tr("Samples"), samples_},
                                                   {tr("Seed"), seed_}};
    for (const auto& [text, w] : fields) {
        row->addWidget(new QLabel(text));
        row->addWidget(w);
    }
    row->addStretch();
    for (auto* b : {runButton_, jsonButton_, csvButton_})
        row->addWidget(b);
    return box;
}

void HealthView::setCount(int count) { count_->setValue(count); }
void HealthView::setOracleCount(int count) { oracleCount_->setValue(count); }
void HealthView::setBuckets(int buckets) { buckets_->setValue(buckets); }
void HealthView::setSampler(const QString& sampler) { sampler_->setCurrentText(sampler); }
void HealthView::setSteps(int steps) { steps_->setValue(steps); }
void HealthView::setSamples(int samples) { samples_->setValue(samples); }
void HealthView::setSeed(int seed) { seed_->setValue(seed); }

HealthRequest HealthView::request() const
{
    HealthRequest r;
    r.denoiser = model_.denoiser();
    r.count = count_->value();
    r.oracleCount = oracleCount_->value();
    r.options.buckets = buckets_->value();
    r.options.sampler = sampler_->currentText().toStdString();
    r.options.steps = steps_->value();
    r.options.samples = samples_->value();
    r.seed = uint64_t(seed_->value());
    return r;
}

void HealthView::run()
{
    const auto r = request();
    if (!r.denoiser)
        return verdict_->setText(tr("Open a model first."));
    const quint64 ticket = ++ticket_;
    running_ = true;
    runButton_->setEnabled(false);
    progress_->start(tr("health report of %1").arg(QString::fromStdString(r.denoiser->info().source)));
    postHealthJob(model_.engine(), r, this, [this, ticket](const HealthOutcome& o) {
        if (ticket == ticket_ && running_)
            show(o);
    });
}

void HealthView::cancel()
{
    ++ticket_; // the report still running is dropped when it arrives
    running_ = false;
    runButton_->setEnabled(true);
    progress_->finish(tr("cancelled"));
}

void HealthView::show(const HealthOutcome& o)
{
    running_ = false;
    runButton_->setEnabled(true);
    outcome_ = o;
    hasReport_ = o.error.isEmpty();
    jsonButton_->setEnabled(hasReport_);
    csvButton_->setEnabled(hasReport_);
    if (!hasReport_) {
        progress_->finish(tr("failed"));
        flags_.clear();
        verdict_->setStyleSheet({});
        verdict_->setText(tr("The health report failed: %1").arg(o.error));
        stats_->clear();
    } else {
        progress_->finish(tr("done"));
        showVerdict(o.report);
        stats_->setText(statsText());
        showTable(o.report, o.hasReference);
        showChart(o.report, o.hasReference);
    }
    Q_EMIT finished();
}

void HealthView::showVerdict(const HealthReport& r)
{
    flags_.clear();
    for (const auto& f : r.flags)
        flags_ << QString::fromStdString(f);
    verdict_->setStyleSheet(r.healthy() ? QStringLiteral("color: #1a7f37; font-weight: bold")
                                        : QStringLiteral("color: #c62828; font-weight: bold"));
    verdict_->setText(verdictText());
}

QString HealthView::verdictText() const
{
    if (!hasReport_)
        return {};
    if (flags_.isEmpty())
        return tr("healthy: no problems found");
    QStringList lines;
    for (const auto& f : flags_)
        lines << tr("FLAG: %1").arg(f);
    return lines.join('\n');
}

QString HealthView::statsText() const
{
    if (!hasReport_)
        return {};
    const auto& r = outcome_.report;
    QStringList lines;
    lines << tr("model: %1 (predicts %2) · raw values, nothing rescaled")
                 .arg(QString::fromStdString(r.model), QString::fromStdString(r.target));
    lines << tr("held-out data: %1").arg(stats(r.data));
    lines << tr("predicted x0 at t = T from N(0, I): %1").arg(stats(r.x0AtT));
    lines << tr("samples: %1 — %2% of values outside the data range %3")
                 .arg(stats(r.samples), num(100 * r.samplesOutside), QStringLiteral("[%1, %2]").arg(r.range.lo).arg(r.range.hi));
    lines << tr("prior at t = T: ᾱ_T = %1, KL(q(x_T | x0) ‖ N(0, I)) = %2 nats per pixel")
                 .arg(num(r.terminalAlphaBar), num(r.priorKl));
    if (outcome_.empiricalOracleItems > 0)
        lines << tr("oracle column: the exact denoiser of the first %1 training images; it memorises them, so it is "
                    "exact for those and no floor for held-out error (at small t it is far worse there)")
                     .arg(outcome_.empiricalOracleItems);
    return lines.join('\n');
}

void HealthView::showTable(const HealthReport& r, bool hasReference)
{
    table_->setHorizontalHeaderLabels({tr("t bucket"), tr("%1-MSE").arg(QString::fromStdString(r.target)), tr("constant"),
                                       hasReference ? tr("oracle") : tr("oracle (none)")});
    table_->setRowCount(int(r.buckets.size()));
    for (int i = 0; i < int(r.buckets.size()); ++i) {
        const auto& b = r.buckets[size_t(i)];
        const QString cells[4] = {QStringLiteral("[%1, %2]").arg(b.tBegin).arg(b.tEnd), num(b.mse), num(b.constantMse),
                                  num(b.oracleMse)};
        for (int c = 0; c < 4; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment(c == 0 ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
            if (c == 1 && b.mse > b.constantMse) // worse than a constant: flagged
                item->setForeground(QColor(198, 40, 40));
            table_->setItem(i, c, item);
        }
    }
    // Wide enough for every column: the chart takes the rest.
    int width = 2 * table_->frameWidth() + 4;
    for (int c = 0; c < table_->columnCount(); ++c)
        width += table_->horizontalHeader()->sectionSize(c);
    table_->setMinimumWidth(width);
}

void HealthView::showChart(const HealthReport& r, bool hasReference)
{
    QVector<QPointF> model, constant, oracle;
    for (const auto& b : r.buckets) {
        const double mid = 0.5 * double(b.tBegin + b.tEnd);
        model.push_back({mid, b.mse});
        constant.push_back({mid, b.constantMse});
        if (hasReference && !std::isnan(b.oracleMse))
            oracle.push_back({mid, b.oracleMse});
    }
    const auto target = QString::fromStdString(r.target);
    chart_->setAxisTitles(tr("t (bucket centre)"), tr("%1-MSE (raw, log scale)").arg(target));
    QVector<PlotSeries> series{plotLine(tr("model"), model, QColor(31, 119, 180)),
                               plotLine(tr("best constant"), constant, QColor(127, 127, 127), Qt::DashLine)};
    if (!oracle.isEmpty())
        series.push_back(plotLine(tr("exact oracle"), oracle, QColor(44, 160, 44), Qt::DotLine));
    chart_->setSeries(series);
}

QString HealthView::exportJson(const QString& path) const
{
    if (!hasReport_)
        return tr("no report to export: run it first");
    try {
        saveHealthJson(path.toStdString(), outcome_.report);
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(userMessage(e));
    }
}

QString HealthView::exportCsv(const QString& path) const
{
    if (!hasReport_)
        return tr("no report to export: run it first");
    try {
        saveHealthCsv(path.toStdString(), outcome_.report);
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(userMessage(e));
    }
}

void HealthView::exportWithDialog(bool json)
{
    const auto suffix = json ? QStringLiteral("json") : QStringLiteral("csv");
    const auto path = QFileDialog::getSaveFileName(this, tr("Export the health report"),
                                                   dialogPath(QStringLiteral("health.") + suffix),
                                                   json ? tr("JSON (*.json)") : tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    rememberDialogChoice(path);
    const auto error = json ? exportJson(path) : exportCsv(path);
    if (!error.isEmpty())
        verdict_->setText(verdict_->text() + '\n' + tr("Export failed: %1").arg(error));
}

} // namespace ds
