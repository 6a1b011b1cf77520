#pragma once
// The status bar: the open model, its schedule and data shape (permanent), and the progress of
// background exports. The permanent parts elide (full text in their tooltips) within widths
// that leave the left half of the bar to messages, and keep a gap before them, so a message
// never runs into the model text.
#include <QObject>

class QStatusBar;

namespace ds {

class ElidedLabel;
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
    ElidedLabel* model_;
    ElidedLabel* schedule_;
    ElidedLabel* shape_;
    JobProgress* exports_;
};

} // namespace ds
