// app/gui/recovery_dialog: runs left interrupted under a runs folder are offered at start; the
// checked ones resume from their newest loadable checkpoint, dismissed ones are not offered
// again, a folder with nothing resumable opens no dialog.
#include "recovery_dialog.h"

#include "tests/support/test_registry.h"
#include "tests/support/toy_training.h"

#include "core/stop_token.h"
#include "core/training/run_folder.h"
#include "core/training/training_job.h"

#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace ds;

namespace {

// A finished run whose end mark is then removed, as a SIGKILL would have left it.
void interruptedRun(const QTemporaryDir& root, const std::string& name, int64_t steps)
{
    auto c = test::tinyToyRun(root.path().toStdString(), name, steps);
    c.checkpointEvery = 1;
    TrainingJob(c).run({}, StopToken());
    std::filesystem::remove(endMarkPath(c.runDir()));
}

QPushButton* button(QWidget& dialog, const QString& text)
{
    for (auto* b : dialog.findChildren<QPushButton*>())
        if (b->text() == text)
            return b;
    return nullptr;
}

} // namespace

class RecoveryDialogTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void offersResumesAndDismisses()
    {
        QTemporaryDir root;
        interruptedRun(root, "alpha", 3);
        interruptedRun(root, "beta", 2);
        const auto runs = findInterruptedRuns(root.path().toStdString());
        QCOMPARE(runs.size(), size_t(2));
        RecoveryDialog dialog(runs);
        QCOMPARE(dialog.list().count(), 2);
        QVERIFY(dialog.list().item(0)->text().contains("alpha"));
        QVERIFY(dialog.list().item(0)->text().contains("step 3 of 3"));
        dialog.list().item(1)->setCheckState(Qt::Unchecked);
        QSignalSpy resumed(&dialog, &RecoveryDialog::resumeRequested);
        QVERIFY(button(dialog, "Resume"));
        button(dialog, "Resume")->click();
        QCOMPARE(resumed.count(), 1);
        QCOMPARE(resumed.first().first().toString().toStdString(), runs[0].checkpoint);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        RecoveryDialog again(runs);
        again.list().item(0)->setCheckState(Qt::Unchecked);
        button(again, "Dismiss")->click(); // beta only
        const auto left = findInterruptedRuns(root.path().toStdString());
        QCOMPARE(left.size(), size_t(1));
        QCOMPARE(left[0].name, std::string("alpha"));
    }

    void opensOnlyWhenSomethingCanBeResumed()
    {
        QTemporaryDir root, empty;
        interruptedRun(root, "gamma", 2);
        QWidget window;
        window.show();
        QStringList resumed;
        RecoveryDialog::offerInterruptedRuns(empty.path(), &window, [&](const QString& c) { resumed << c; });
        RecoveryDialog::offerInterruptedRuns(root.path(), &window, [&](const QString& c) { resumed << c; });
        QVERIFY(QTest::qWaitFor([&] { return !window.findChildren<RecoveryDialog*>().isEmpty(); }, 30000));
        QTest::qWait(200); // the empty folder's scan ends too, and opens nothing
        const auto dialogs = window.findChildren<RecoveryDialog*>();
        QCOMPARE(dialogs.size(), qsizetype(1));
        QCOMPARE(dialogs.first()->list().count(), 1);
        button(*dialogs.first(), "Resume")->click();
        QCOMPARE(resumed.size(), qsizetype(1));
        QVERIFY(resumed.first().endsWith(".dsckpt"));
    }
};

DS_TEST_SUITE(RecoveryDialogTest, "recovery_dialog");
#include "test_recovery_dialog.moc"
