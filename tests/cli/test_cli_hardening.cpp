// diffscope-cli against faults a user met (issue 14): outputs checked before any work, one
// spelling (--checkpoint) for models, non-finite samples refused, one writer per run folder,
// SIGTERM and repeated interrupts saving a checkpoint, loss-log failures, flags on --resume,
// leftovers of killed saves.
#include "cli_test_case.h"
#include "core/io/npy.h"
#include "core/io/resource_paths.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace ds::test;

namespace {

const QString kDemo = QString::fromStdString(ds::resourcePath("demo/two_moons.dsckpt"));
const QString kTinyMlp = R"({"kind":"mlp","hidden":8,"layers":1,"time_dim":4})";

int64_t deadPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

QString cliPath() { return qEnvironmentVariable("DIFFSCOPE_CLI", "diffscope-cli"); }

} // namespace

class CliHardeningTest : public CliTestCase {
    Q_OBJECT
    QStringList train(const QString& name, const QStringList& extra = {}) const
    {
        return QStringList{"train", "--dataset", "two-moons", "--network", kTinyMlp, "--output-dir", p("runs"), "--name",
                           name, "--preview-every", "0", "--quiet"}
            + extra;
    }

    void expectFailure(const CliResult& r, const QStringList& mustSay)
    {
        QVERIFY2(!r.crashed, qPrintable("crashed: " + r.err));
        QVERIFY2(r.exitCode == 1, qPrintable(QString("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
        for (const auto& text : mustSay)
            QVERIFY2(r.err.contains(text), qPrintable("stderr lacks '" + text + "': " + r.err));
        QVERIFY2(r.err.trimmed().count('\n') == 0, qPrintable("more than one line: " + r.err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        QVERIFY(QFile::exists(kDemo));
        QDir(dir_.path()).mkdir("adir");
        ds::saveNpy(p("init.npy").toStdString(), at::zeros({1, 2, 1, 1}));
    }

    void outputsAreCheckedFirst_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("mustSay");
        const QString missing = "/no/such/dir/x.npy";
        // 20 000 samples × 1000 steps: minutes of work if the check came after sampling.
        const QStringList slow{"sample", "--checkpoint", kDemo, "--n", "20000", "--steps", "1000", "--quiet"};
        QTest::newRow("sample --out missing folder") << slow + QStringList{"--out", missing}
                                                     << QStringList{"--out " + missing, "does not exist"};
        QTest::newRow("sample --out a folder") << slow + QStringList{"--out", p("adir")}
                                               << QStringList{"--out " + p("adir"), "is a directory"};
        QTest::newRow("sample --out = --init") << slow + QStringList{"--init", p("init.npy"), "--out", p("init.npy")}
                                               << QStringList{"--out " + p("init.npy"), "input"};
        QTest::newRow("sample --png missing folder") << slow + QStringList{"--out", p("s.npy"), "--png", "/no/such/g.png"}
                                                     << QStringList{"--png /no/such/g.png", "does not exist"};
        QTest::newRow("sample --trajectory") << slow + QStringList{"--out", p("s.npy"), "--trajectory", "/no/such/t.npy"}
                                             << QStringList{"--trajectory /no/such/t.npy"};
        QTest::newRow("forward --out") << QStringList{"forward", "--dataset", "two-moons", "--out", missing}
                                       << QStringList{"--out " + missing, "does not exist"};
        QTest::newRow("schedule --out") << QStringList{"schedule", "--out", "/no/such/s.csv"}
                                        << QStringList{"--out /no/such/s.csv", "does not exist"};
        QTest::newRow("snr --csv") << QStringList{"snr", "--dataset", "fashion-mnist", "--csv", "/no/such/s.csv"}
                                   << QStringList{"--csv /no/such/s.csv", "does not exist"};
        QTest::newRow("slim out") << QStringList{"slim", kDemo, "/no/such/s.dsckpt"}
                                  << QStringList{"--out /no/such/s.dsckpt", "does not exist"};
        QTest::newRow("slim onto itself") << QStringList{"slim", "--checkpoint", kDemo, "--out", kDemo}
                                          << QStringList{"--out " + kDemo, "input"};
        QTest::newRow("export-torchscript out") << QStringList{"export-torchscript", kDemo, p("adir")}
                                                << QStringList{"--out " + p("adir"), "is a directory"};
    }

    void outputsAreCheckedFirst()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, mustSay);
        QElapsedTimer clock;
        clock.start();
        auto r = runCli(args);
        const auto ms = clock.elapsed();
        expectFailure(r, mustSay);
        qInfo("%s: failed after %lld ms", QTest::currentDataTag(), static_cast<long long>(ms));
        QVERIFY2(ms < 3000, qPrintable(QString("took %1 ms: did it work before checking?").arg(ms)));
    }

    void infoAndExportTakeCheckpointOption()
    {
        auto positional = runCli({"info", kDemo});
        auto option = runCli({"info", "--checkpoint", kDemo});
        QVERIFY2(positional.exitCode == 0 && option.exitCode == 0, qPrintable(positional.err + option.err));
        QCOMPARE(option.out, positional.out);
        auto neither = runCli({"info"});
        QVERIFY(!neither.crashed && neither.exitCode == 2);
        auto slim = runCli({"slim", "--checkpoint", kDemo, "--out", p("slim.dsckpt")});
        QVERIFY2(slim.exitCode == 0, qPrintable(slim.err));
        auto slimInfo = runCli({"info", "--checkpoint", p("slim.dsckpt")});
        QVERIFY2(slimInfo.exitCode == 0 && slimInfo.out.contains("EMA weights only"), qPrintable(slimInfo.out + slimInfo.err));
    }

    // exp(1000 x) is finite at the load probe (x = 0) and overflows on x_T ~ N(0, I).
    void nonFiniteSamplesAreRefused()
    {
        saveTorchScriptModel(p("blowup.pt"), headerFor("[1, 4, 4]"), "return torch.exp(x * 1000.0)");
        auto r = runCli({"sample", "--checkpoint", p("blowup.pt"), "--steps", "5", "--n", "2", "--out", p("blowup.npy"),
                         "--quiet"});
        expectFailure(r, {"non-finite", "NaN", "Inf", "of 32 values"});
        QVERIFY(!QFile::exists(p("blowup.npy")));
    }

    // A second `train` or `--resume` into a live run folder fails at once naming folder and
    // pid; SIGTERM then a second interrupt still end with a checkpoint and exit 130.
    void oneWriterPerRunFolderAndCleanInterrupts()
    {
        const auto run = p("runs/live");
        QProcess first;
        auto args = train("live", {"--steps", "10000000", "--checkpoint-every", "200"});
        args.removeAll("--quiet"); // it says where it stopped
        first.start(cliPath(), args);
        QVERIFY(first.waitForStarted());
        const auto pid = QString::number(first.processId());
        const auto checkpoint = run + "/latest.dsckpt"; // rotation deletes older ones as it goes
        for (int i = 0; i < 600 && !QFile::exists(checkpoint); ++i)
            QTest::qWait(100);
        QVERIFY2(QFile::exists(checkpoint), qPrintable("no checkpoint: " + first.readAllStandardError()));
        QVERIFY(QFile::exists(run + "/.lock"));

        QElapsedTimer clock;
        clock.start();
        auto second = runCli(train("live", {"--steps", "100"}));
        expectFailure(second, {run, "pid " + pid});
        auto resumed = runCli({"train", "--resume", checkpoint, "--quiet"});
        expectFailure(resumed, {run, "pid " + pid});
        qInfo("two refused starts took %lld ms", static_cast<long long>(clock.elapsed()));

        ::kill(pid_t(first.processId()), SIGTERM);
        ::kill(pid_t(first.processId()), SIGINT); // a second interrupt while it stops and saves
        QVERIFY(first.waitForFinished(60000));
        const auto err = QString::fromUtf8(first.readAllStandardError());
        QVERIFY2(first.exitStatus() == QProcess::NormalExit, qPrintable("killed by a signal: " + err));
        QVERIFY2(first.exitCode() == 130, qPrintable(QString("exit %1: %2").arg(first.exitCode()).arg(err)));
        QVERIFY2(err.contains("cancelled at step"), qPrintable(err));
        const auto step = err.section("cancelled at step ", 1).section(';', 0, 0).trimmed().toLongLong();
        QVERIFY2(QFile::exists(run + QString("/step_%1.dsckpt").arg(step, 8, 10, QChar('0'))), qPrintable(err));
        QVERIFY(!QFile::exists(run + "/.lock"));
    }

    void staleLockAndTempFilesAreCleared()
    {
        const auto run = p("runs/stale");
        QVERIFY(QDir().mkpath(run));
        const auto dead = QString::number(deadPid());
        writeFile(run + "/.lock", dead.toUtf8() + "\n");
        writeFile(run + "/.step_00000002.dsckpt.tmp-" + dead, "half a checkpoint");
        auto args = train("stale", {"--steps", "2", "--checkpoint-every", "0"});
        args.removeAll("--quiet"); // the notes go to stderr
        auto r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("stale lock of pid " + dead), qPrintable(r.err));
        QVERIFY2(r.err.contains("removed .step_00000002.dsckpt.tmp-" + dead), qPrintable(r.err));
        QVERIFY(!QFile::exists(run + "/.step_00000002.dsckpt.tmp-" + dead));
        QVERIFY(QFile::exists(run + "/step_00000002.dsckpt"));
        QVERIFY(!QFile::exists(run + "/.lock"));
    }

    void lossLogFailureStopsTheRun()
    {
        QVERIFY(QDir().mkpath(p("runs/badlog/loss.csv")));
        auto r = runCli(train("badlog", {"--steps", "3"}));
        expectFailure(r, {p("runs/badlog/loss.csv")});
    }

    void resumeHonoursOrRefusesFlags()
    {
        auto r = runCli(train("resume", {"--steps", "4", "--checkpoint-every", "0"}));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto run = p("runs/resume");
        const auto start = run + "/step_00000004.dsckpt";
        QVERIFY(QFile::exists(start));
        auto more = runCli({"train", "--resume", start, "--steps", "8", "--checkpoint-every", "2", "--quiet"});
        QVERIFY2(more.exitCode == 0, qPrintable(more.err));
        QCOMPARE(QDir(run).entryList({"step_*.dsckpt"}, QDir::Files, QDir::Name),
                 (QStringList{"step_00000004.dsckpt", "step_00000006.dsckpt", "step_00000008.dsckpt"}));
        auto refused = runCli({"train", "--resume", start, "--network", kTinyMlp, "--quiet"});
        expectFailure(refused, {"--network cannot change on --resume"});
        auto lower = runCli({"train", "--resume", run + "/step_00000008.dsckpt", "--steps", "6", "--quiet"});
        expectFailure(lower, {"cannot be lower"});
    }

    // A folder resumes from its newest checkpoint that loads: without latest.dsckpt (a kill
    // before the first link) and past a damaged newest step file; an empty folder is refused.
    void resumeFromARunFolder()
    {
        auto r = runCli(train("folder", {"--steps", "4", "--checkpoint-every", "2"}));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto run = p("runs/folder");
        QVERIFY(QFile::remove(run + "/latest.dsckpt"));
        QFile damaged(run + "/step_00000004.dsckpt");
        QVERIFY(damaged.open(QIODevice::ReadWrite));
        QVERIFY(damaged.resize(damaged.size() / 2));
        damaged.close();
        auto more = runCli({"train", "--resume", run + "/", "--steps", "6"});
        QVERIFY2(more.exitCode == 0, qPrintable(more.err));
        QVERIFY2(more.err.contains("resuming " + run + "/step_00000002.dsckpt"), qPrintable(more.err));
        QVERIFY2(more.err.contains("from step 2"), qPrintable(more.err));
        QVERIFY(QFile::exists(run + "/step_00000006.dsckpt"));

        QVERIFY(QDir().mkpath(p("runs/empty")));
        expectFailure(runCli({"train", "--resume", p("runs/empty"), "--quiet"}),
                      {"--resume " + p("runs/empty"), "no checkpoint to continue", "before its first checkpoint"});
    }
};

DS_TEST_SUITE(CliHardeningTest, "cli_hardening");
#include "test_cli_hardening.moc"
