#pragma once
// Crash recovery at start: the trainings that were left interrupted under a runs folder
// (core/training/run_recovery.h) are offered for resume, as Krita offers its autosaves. Each
// row names the run, the step of its newest loadable checkpoint out of its total, and the
// checkpoint; Resume hands the checked runs' checkpoints on, Dismiss marks them seen (their
// files stay), Later closes without marking, so they are offered again next time.
#include "core/training/run_recovery.h"

#include <QDialog>

#include <functional>
#include <vector>

class QListWidget;
class QPushButton;

namespace ds {

class RecoveryDialog : public QDialog {
    Q_OBJECT
public:
    explicit RecoveryDialog(std::vector<InterruptedRun> runs, QWidget* parent = nullptr);

    // Scans `root` on a worker thread (it loads checkpoints) and, if any run there can be
    // resumed, opens the dialog window-modal over `window` (open(): the event loop runs on);
    // `resume` gets each checkpoint the user chose. Returns at once.
    static void offerInterruptedRuns(const QString& root, QWidget* window,
                                     const std::function<void(const QString& checkpoint)>& resume);

    QListWidget& list() const { return *list_; }
    // The runs whose rows are checked (all, at first).
    std::vector<InterruptedRun> checkedRuns() const;

public Q_SLOTS:
    void resumeChecked();
    void dismissChecked();

Q_SIGNALS:
    void resumeRequested(const QString& checkpoint);

private:
    std::vector<InterruptedRun> runs_; // resumable ones, in list order
    QListWidget* list_;
    QPushButton* resume_;
};

} // namespace ds
