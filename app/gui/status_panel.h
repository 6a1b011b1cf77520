#pragma once
// The status bar: the open model, its schedule and data shape (permanent), and the progress of
// background exports.
#include <QObject>

class QLabel;
class QStatusBar;

namespace ds {

class JobProgress;
struct ModelSummary;

class StatusPanel : public QObject {
    Q_OBJECT
public:
    explicit StatusPanel(QStatusBar* bar);

    void showModel(const ModelSummary& summary);
    void showLoading(const QString& source);
    void showNoModel();
    JobProgress& exportProgress() const { return *exports_; }
    QString modelText() const;

private:
    QLabel* model_;
    QLabel* schedule_;
    QLabel* shape_;
    JobProgress* exports_;
};

} // namespace ds
