#pragma once
// Instruments → Health report: the model health report (health_job.h) for the open model —
// the prediction error per t bucket against the best constant and the exact oracle (table and
// chart), x̂0 at t = T, the samples against the data range with the share outside it, the
// prior mismatch at t = T, and the flags in red or a green "healthy" line. Raw values only:
// nothing is rescaled. Exports the report as JSON (the keys of `diffscope-cli health --json`)
// and the buckets as CSV.
#include "health_job.h"

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace ds {

class JobProgress;
class ModelSession;
class PlotWidget;

class HealthView : public QWidget {
    Q_OBJECT
public:
    explicit HealthView(ModelSession& model, QWidget* parent = nullptr);

    // The form's fields (diffscope-cli health's flags of the same names).
    void setCount(int count);
    void setOracleCount(int count);
    void setBuckets(int buckets);
    void setSampler(const QString& sampler);
    void setSteps(int steps);
    void setSamples(int samples);
    void setSeed(int seed);

    void run();
    void cancel(); // drops the report when it arrives (healthReport cannot stop early)
    bool running() const { return running_; }
    bool hasReport() const { return hasReport_; }
    const HealthOutcome& outcome() const { return outcome_; }

    // What the view shows: the verdict line, each flag, the stats lines.
    QString verdictText() const;
    QStringList shownFlags() const { return flags_; }
    QString statsText() const;
    QTableWidget& table() const { return *table_; }
    PlotWidget& chart() const { return *chart_; }

    // Each returns an empty string on success or a message naming the file.
    QString exportJson(const QString& path) const;
    QString exportCsv(const QString& path) const;

Q_SIGNALS:
    void finished();

private:
    QWidget* makeForm();
    HealthRequest request() const;
    void show(const HealthOutcome& outcome);
    void showTable(const HealthReport& report, bool hasReference);
    void showChart(const HealthReport& report, bool hasReference);
    void showVerdict(const HealthReport& report);
    void exportWithDialog(bool json);

    ModelSession& model_;
    QSpinBox* count_;
    QSpinBox* oracleCount_;
    QSpinBox* buckets_;
    QComboBox* sampler_;
    QSpinBox* steps_;
    QSpinBox* samples_;
    QSpinBox* seed_;
    QPushButton* runButton_;
    QPushButton* jsonButton_;
    QPushButton* csvButton_;
    JobProgress* progress_;
    QLabel* verdict_;
    QLabel* stats_;
    QTableWidget* table_;
    PlotWidget* chart_;
    HealthOutcome outcome_;
    QStringList flags_;
    quint64 ticket_ = 0;
    bool running_ = false;
    bool hasReport_ = false;
};

} // namespace ds
