// A full disk (issue 14), made by an LD_PRELOAD shim (enospc_shim.cpp) that fails writes under
// one folder with ENOSPC after N bytes: a checkpoint save, a trajectory .npy, a GIF and an MP4
// export each fail with one clear line and a non-zero exit, keep the previous file byte for
// byte, and leave no partial file under the final name (nor a temp file). Each case also runs
// with room to spare, so a pass means the shim was in force, not that nothing was written.
#include "cli_test_case.h"
#include "core/io/checkpoint.h"
#include "core/io/npy.h"
#include "core/io/resource_paths.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTest>

using namespace ds::test;

namespace {

const QString kDemo = QString::fromStdString(ds::resourcePath("demo/two_moons.dsckpt"));
const QString kTinyMlp = R"({"kind":"mlp","hidden":8,"layers":1,"time_dim":4})";

QByteArray contents(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Files of `dir` whose names say they are temp files of atomic writes.
QStringList tempFiles(const QString& dir)
{
    return QDir(dir).entryList({"*.tmp-*"}, QDir::Files | QDir::Hidden);
}

QProcessEnvironment diskFullUnder(const QString& dir, qint64 bytes)
{
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("LD_PRELOAD", enospcShimPath());
    env.insert("DIFFSCOPE_ENOSPC_DIR", QDir(dir).canonicalPath());
    env.insert("DIFFSCOPE_ENOSPC_AFTER", QString::number(bytes));
    return env;
}

CliResult runHelper(const QStringList& args, const QProcessEnvironment& env)
{
    QProcess proc;
    proc.setProcessEnvironment(env);
    proc.start(exportHelperPath(), args);
    proc.waitForFinished(120000);
    CliResult r;
    r.crashed = proc.exitStatus() != QProcess::NormalExit;
    r.exitCode = proc.exitCode();
    r.out = QString::fromUtf8(proc.readAllStandardOutput());
    r.err = QString::fromUtf8(proc.readAllStandardError());
    return r;
}

} // namespace

class CliDiskFullTest : public CliTestCase {
    Q_OBJECT
    void expectDiskFull(const CliResult& r, const QString& names)
    {
        QVERIFY2(!r.crashed, qPrintable("crashed: " + r.err));
        QVERIFY2(r.exitCode == 1, qPrintable(QString("exit %1: %2").arg(r.exitCode).arg(r.err)));
        QVERIFY2(r.err.contains(names), qPrintable("stderr does not name " + names + ": " + r.err));
        QVERIFY2(r.err.contains("No space left on device") || r.err.contains("disk full"), qPrintable(r.err));
        QVERIFY2(r.err.trimmed().count('\n') == 0, qPrintable("more than one line: " + r.err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        QVERIFY(QFile::exists(enospcShimPath()));
    }

    // The save of step 6 fails; step 4 (and latest.dsckpt, its link) stay as they were.
    void checkpointSave()
    {
        const QStringList train{"train", "--dataset", "two-moons", "--dataset-limit", "256", "--network", kTinyMlp,
                                "--output-dir", p("runs"), "--name", "full", "--preview-every", "0", "--quiet"};
        auto first = runCli(train + QStringList{"--steps", "4", "--checkpoint-every", "0"});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const auto run = p("runs/full");
        const auto before = contents(run + "/step_00000004.dsckpt");
        QVERIFY(before.size() > 4096);
        const QStringList resume{"train", "--resume", run + "/step_00000004.dsckpt", "--steps", "8",
                                 "--checkpoint-every", "2", "--quiet"};
        // 2 kB: the loss log fits, the first checkpoint does not.
        auto full = runCli(resume, diskFullUnder(run, 2048));
        expectDiskFull(full, run + "/step_00000006.dsckpt");
        QVERIFY2(full.err.contains("last good checkpoint is " + run + "/step_00000004.dsckpt"), qPrintable(full.err));
        QCOMPARE(contents(run + "/step_00000004.dsckpt"), before);
        QCOMPARE(contents(run + "/latest.dsckpt"), before);
        QVERIFY(!QFile::exists(run + "/step_00000006.dsckpt"));
        QCOMPARE(tempFiles(run), QStringList());
        QVERIFY(ds::loadCheckpoint((run + "/latest.dsckpt").toStdString()).header.step == 4);

        auto roomy = runCli(resume, diskFullUnder(run, qint64(1) << 30));
        QVERIFY2(roomy.exitCode == 0, qPrintable(roomy.err));
        QVERIFY(QFile::exists(run + "/step_00000008.dsckpt"));
    }

    // A resume rewrites loss.csv (rows after its checkpoint go): on a full disk the rewrite fails
    // with a message and the old log stays whole (it used to be truncated first, then written).
    void lossLogRewrite()
    {
        const QStringList train{"train", "--dataset", "two-moons", "--dataset-limit", "256", "--network", kTinyMlp,
                                "--output-dir", p("runs"), "--name", "log", "--preview-every", "0", "--quiet",
                                "--steps", "40", "--checkpoint-every", "0"};
        auto first = runCli(train);
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const auto run = p("runs/log");
        const auto before = contents(run + "/loss.csv");
        QVERIFY(before.count('\n') == 41);
        // 64 bytes: the run lock (a pid) fits, the rewritten log (~1 kB) does not.
        auto full = runCli({"train", "--resume", run + "/step_00000040.dsckpt", "--steps", "60", "--quiet"},
                           diskFullUnder(run, 64));
        expectDiskFull(full, run + "/loss.csv");
        QCOMPARE(contents(run + "/loss.csv"), before);
        QCOMPARE(tempFiles(run), QStringList());
    }

    // The trajectory folder is full; an older trajectory there stays, no new one appears.
    void trajectoryNpy()
    {
        QVERIFY(QDir().mkpath(p("traj")));
        const auto old = p("traj/t.npy");
        ds::saveNpy(old.toStdString(), at::arange(6, at::kFloat));
        const auto before = contents(old);
        const QStringList sample{"sample", "--checkpoint", kDemo, "--steps", "10", "--n", "4", "--out", p("s.npy"),
                                 "--trajectory", old, "--quiet"};
        auto full = runCli(sample, diskFullUnder(p("traj"), 0));
        expectDiskFull(full, p("traj/t"));
        QCOMPARE(contents(old), before);
        QCOMPARE(QDir(p("traj")).entryList(QDir::Files | QDir::Hidden), QStringList{"t.npy"});

        auto roomy = runCli(sample, diskFullUnder(p("traj"), qint64(1) << 30));
        QVERIFY2(roomy.exitCode == 0, qPrintable(roomy.err));
        QCOMPARE(ds::loadNpy(old.toStdString()).dim(), int64_t(5)); // [F, N, C, H, W] replaced it
    }

    void animationExports_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("gif") << "gif";
        QTest::newRow("mp4") << "mp4";
    }

    // 16 noise frames (≈ 37 kB as GIF) into a folder with 4 kB to spare.
    void animationExports()
    {
        QFETCH(QString, kind);
        const auto folder = p("anim-" + kind);
        QVERIFY(QDir().mkpath(folder));
        const auto path = folder + "/movie." + kind;
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("the previous export");
        }
        auto full = runHelper({kind, path}, diskFullUnder(folder, 4096));
        // FFmpeg (through cv::VideoWriter) reports no failed write: saveMp4 decodes the file
        // before it commits it, which is what this row checks.
        QVERIFY2(full.exitCode != 0, qPrintable("exit 0: " + full.out));
        expectDiskFull(full, path);
        QCOMPARE(contents(path), QByteArray("the previous export"));
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden), QStringList{"movie." + kind});

        auto roomy = runHelper({kind, path}, diskFullUnder(folder, qint64(1) << 30));
        QVERIFY2(roomy.exitCode == 0, qPrintable(roomy.err));
        QVERIFY(contents(path).size() > 4096);
    }
};

DS_TEST_SUITE(CliDiskFullTest, "cli_disk_full");
#include "test_cli_disk_full.moc"
