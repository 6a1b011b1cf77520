#pragma once
// Shows errors for users without blocking: a window-modal QMessageBox opened with open(), so
// the event loop (and background jobs) keep running and tests can find and close it. The
// message names the file and the problem (ds::Error texts are written that way).
#include <QObject>
#include <QPointer>
#include <QString>

class QMessageBox;
class QWidget;

namespace ds {

class ErrorReporter : public QObject {
    Q_OBJECT
public:
    explicit ErrorReporter(QWidget* window);

    // `summary`: one line ("Could not open model.pt"); `detail`: the engine's message.
    void report(const QString& summary, const QString& detail);
    QString lastMessage() const { return last_; }
    QMessageBox* currentBox() const { return box_; } // the box on screen, if any

Q_SIGNALS:
    void reported(const QString& summary, const QString& detail);

private:
    QWidget* window_;
    QPointer<QMessageBox> box_;
    QString last_;
};

} // namespace ds
