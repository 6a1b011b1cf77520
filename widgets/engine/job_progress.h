#pragma once
// Progress of one background job: a label, a bar and a Cancel button. Hidden when idle.
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace ds {

class JobProgress : public QWidget {
    Q_OBJECT
public:
    explicit JobProgress(QWidget* parent = nullptr);

    void start(const QString& what, qint64 total = 0); // total 0: busy indicator
    void setProgress(qint64 done, qint64 total);
    void finish(const QString& message = {});           // hides the bar, shows `message`
    bool active() const { return active_; }
    QString message() const;

Q_SIGNALS:
    void cancelRequested();

private:
    QLabel* label_;
    QProgressBar* bar_;
    QToolButton* cancel_;
    bool active_ = false;
};

} // namespace ds
