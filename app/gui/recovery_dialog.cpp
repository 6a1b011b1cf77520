#include "recovery_dialog.h"

#include "core/user_message.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>
#include <QThread>

#include <algorithm>
#include <memory>

namespace ds {
namespace {

QString rowText(const InterruptedRun& run)
{
    const auto total = run.totalSteps > 0 ? QString::number(run.totalSteps) : QStringLiteral("?");
    return QObject::tr("%1 — step %2 of %3 (%4)")
        .arg(QString::fromStdString(run.name))
        .arg(run.step)
        .arg(total, QFileInfo(QString::fromStdString(run.checkpoint)).fileName());
}

} // namespace

RecoveryDialog::RecoveryDialog(std::vector<InterruptedRun> runs, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Interrupted trainings"));
    std::copy_if(runs.begin(), runs.end(), std::back_inserter(runs_), [](const auto& r) { return r.resumable(); });
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("These trainings stopped without finishing (the app or the machine went down). "
                                "Resume them from their newest checkpoint?"));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    list_ = new QListWidget;
    for (const auto& run : runs_) {
        auto* item = new QListWidgetItem(rowText(run), list_);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
        item->setToolTip(QString::fromStdString(run.checkpoint)); // the full path; rows stay short
    }
    layout->addWidget(list_);
    auto* buttons = new QDialogButtonBox;
    resume_ = buttons->addButton(tr("Resume"), QDialogButtonBox::AcceptRole);
    auto* dismiss = buttons->addButton(tr("Dismiss"), QDialogButtonBox::DestructiveRole);
    dismiss->setToolTip(tr("Do not offer these runs again (their files stay)"));
    auto* later = buttons->addButton(tr("Later"), QDialogButtonBox::RejectRole);
    layout->addWidget(buttons);
    connect(resume_, &QPushButton::clicked, this, &RecoveryDialog::resumeChecked);
    connect(dismiss, &QPushButton::clicked, this, &RecoveryDialog::dismissChecked);
    connect(later, &QPushButton::clicked, this, &QDialog::reject);
}

std::vector<InterruptedRun> RecoveryDialog::checkedRuns() const
{
    std::vector<InterruptedRun> out;
    for (int i = 0; i < list_->count(); ++i)
        if (list_->item(i)->checkState() == Qt::Checked)
            out.push_back(runs_[size_t(i)]);
    return out;
}

void RecoveryDialog::resumeChecked()
{
    for (const auto& run : checkedRuns())
        Q_EMIT resumeRequested(QString::fromStdString(run.checkpoint));
    accept();
}

void RecoveryDialog::dismissChecked()
{
    QStringList problems;
    for (const auto& run : checkedRuns()) {
        try {
            dismissInterruptedRun(run);
        } catch (const std::exception& e) {
            problems << QString::fromStdString(userMessage(e));
        }
    }
    if (!problems.isEmpty())
        QMessageBox::warning(this, tr("Interrupted trainings"), problems.join('\n'));
    accept();
}

void RecoveryDialog::offerInterruptedRuns(const QString& root, QWidget* window,
                                          const std::function<void(const QString&)>& resume)
{
    auto runs = std::make_shared<std::vector<InterruptedRun>>();
    auto* scan = QThread::create([runs, path = root.toStdString()] { *runs = findInterruptedRuns(path); });
    QPointer<QWidget> owner(window);
    QObject::connect(scan, &QThread::finished, scan, &QObject::deleteLater);
    QObject::connect(scan, &QThread::finished, window, [runs, owner, resume] {
        const bool any = std::any_of(runs->begin(), runs->end(), [](const auto& r) { return r.resumable(); });
        if (!owner || !any)
            return;
        auto* dialog = new RecoveryDialog(*runs, owner);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowModality(Qt::WindowModal);
        QObject::connect(dialog, &RecoveryDialog::resumeRequested, owner, resume);
        dialog->open();
    });
    scan->start();
}

} // namespace ds
