#pragma once
// Progress of one background job: a label, a bar with the percentage and an ETA, and a Cancel
// button. The ETA is measured from the first progress report on (model loads and x_T do not
// count) as elapsed / done × remaining. Long messages elide (full text in the tooltip), and the
// row keeps one height whether the bar shows or not, so the layout around it never jumps.
#include <QWidget>

#include <functional>

class QProgressBar;
class QToolButton;

namespace ds {

class ElidedLabel;

class JobProgress : public QWidget {
    Q_OBJECT
public:
    explicit JobProgress(QWidget* parent = nullptr);

    void start(const QString& what, qint64 total = 0); // total 0: busy indicator
    void setProgress(qint64 done, qint64 total);
    // A second part of the label while running ("round 3 of ~8 · window [0, 32) · …").
    void setDetail(const QString& detail);
    void finish(const QString& message = {});           // hides the bar, shows `message`
    bool active() const { return active_; }
    QString message() const;     // the label's whole text
    QString barText() const;     // "42% · ETA 1:05" while running
    // Milliseconds since some fixed point; tests pass a fake clock.
    void setClock(std::function<qint64()> msecs) { clock_ = std::move(msecs); }

Q_SIGNALS:
    void cancelRequested();

private:
    void showLabel();

    ElidedLabel* label_;
    QProgressBar* bar_;
    QToolButton* cancel_;
    QString what_;
    QString detail_;
    std::function<qint64()> clock_;
    qint64 firstMs_ = -1;   // time of the first report, and how far it was
    qint64 firstDone_ = 0;
    bool active_ = false;
};

// "8 s", "1:05", "1:02:03" for an ETA in seconds.
QString etaText(double seconds);

} // namespace ds
