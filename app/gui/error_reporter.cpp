#include "error_reporter.h"

#include <QMessageBox>

namespace ds {

ErrorReporter::ErrorReporter(QWidget* window) : QObject(window), window_(window) {}

void ErrorReporter::report(const QString& summary, const QString& detail)
{
    last_ = summary + QStringLiteral("\n") + detail;
    if (box_)
        box_->close(); // one box at a time: the newest error replaces the last
    auto* box = new QMessageBox(QMessageBox::Critical, tr("diffscope"), summary, QMessageBox::Ok, window_);
    box->setInformativeText(detail);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("errorBox"));
    box_ = box;
    box->open(); // window-modal, returns at once
    Q_EMIT reported(summary, detail);
}

} // namespace ds
