// What diffscope-cli writes: shapes, ranges, reproducibility, and each command's files.
#include "cli_test_case.h"
#include "core/io/image_io.h"
#include "core/io/npy.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <csignal>

using namespace ds::test;

namespace {

at::Tensor npy(const QString& path) { return ds::loadNpy(path.toStdString()); }

QStringList csvLines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

} // namespace

class CliOutputsTest : public CliTestCase {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { saveTorchScriptModel(p("eps.pt"), headerFor("[1, 4, 4]")); }

    void sampleWritesSamplesTrajectoryAndPng()
    {
        expectSuccess({"sample", "--checkpoint", "oracle:gaussian?shape=1x6x6&mean=0.2&std=0.1", "--sampler", "ddpm",
                       "--steps", "40", "--n", "5", "--out", p("s.npy"), "--trajectory", p("t.npy"), "--png", p("s.png"),
                       "--quiet"});
        auto s = npy(p("s.npy"));
        QCOMPARE(s.sizes(), (at::IntArrayRef{5, 1, 6, 6}));
        QCOMPARE(int(s.scalar_type()), int(at::kFloat));
        QVERIFY(std::abs(s.mean().item<double>() - 0.2) < 0.05);
        auto t = npy(p("t.npy")), ts = npy(p("t.t.npy")), x0 = npy(p("t.x0.npy"));
        QCOMPARE(t.sizes(), (at::IntArrayRef{41, 5, 1, 6, 6}));
        QCOMPARE(ts[0].item<int64_t>(), 1000);
        QCOMPARE(ts[40].item<int64_t>(), 0);
        QVERIFY(at::equal(t[40], s));
        QCOMPARE(x0.size(0), 41);
        // x̂0 rows go with the frame they were computed from; the sample (t = 0) is its own x̂0.
        QVERIFY(at::isfinite(x0).all().item<bool>());
        QVERIFY(at::allclose(x0[40], s));
        QVERIFY(QFileInfo::exists(p("t.x0.json")));
        if (ds::imageIoAvailable()) {
            auto png = ds::loadImage(p("s.png").toStdString(), {{0, 1}, 0, true});
            QVERIFY(png.size(1) > 6 && png.size(2) > 6);
        }
    }

    void seededRunsRepeatAndInitReplays()
    {
        const QStringList common{"sample", "--checkpoint", p("eps.pt"), "--sampler", "ddim", "--steps", "8", "--n", "3",
                                 "--quiet", "--seed", "11"};
        expectSuccess(common + QStringList{"--out", p("a.npy"), "--trajectory", p("a_traj.npy")});
        expectSuccess(common + QStringList{"--out", p("b.npy")});
        QVERIFY(at::equal(npy(p("a.npy")), npy(p("b.npy"))));
        // Frame 0 of the trajectory is x_T: feeding it back with --init reproduces the run.
        ds::saveNpy(p("xT.npy").toStdString(), npy(p("a_traj.npy"))[0]);
        expectSuccess(common + QStringList{"--init", p("xT.npy"), "--out", p("c.npy")});
        QVERIFY(at::equal(npy(p("a.npy")), npy(p("c.npy"))));
    }

    void forwardWritesEveryNthFrame()
    {
        expectSuccess({"forward", "--dataset", "two-moons", "--count", "3", "--T", "100", "--every", "25", "--mode",
                       "shared-eps", "--out", p("f.npy"), "--quiet"});
        QCOMPARE(npy(p("f.npy")).sizes(), (at::IntArrayRef{5, 3, 2, 1, 1}));
        QVERIFY(at::equal(npy(p("f.t.npy")), at::tensor({0L, 25L, 50L, 75L, 100L})));
    }

    void scheduleAndSnrTables()
    {
        expectSuccess({"schedule", "--schedule", "cosine", "--T", "50", "--out", p("cos.csv")});
        auto lines = csvLines(p("cos.csv"));
        QCOMPARE(lines.size(), 51);
        QCOMPARE(lines[0], QString("t,t_over_T,beta,alpha,alpha_bar,snr,log_snr"));
        expectSuccess({"schedule", "--schedule", "pixel-aware", "--pixel-values", "0.1,1", "--out", p("pa.csv")});
        QCOMPARE(csvLines(p("pa.csv"))[0], QString("t,t_over_T,alpha_bar@0.1,snr@0.1,alpha_bar@1,snr@1"));
        if (!QFile::exists("/usr/share/datasets/fashion-mnist") && qEnvironmentVariableIsEmpty("DIFFSCOPE_FASHION_MNIST_DIR"))
            QSKIP("Fashion-MNIST not installed");
        expectSuccess({"snr", "--dataset", "fashion-mnist", "--index", "3", "--pixels", "14,14", "--csv", p("snr.csv"),
                       "--npy", p("snr.npy")});
        QCOMPARE(csvLines(p("snr.csv")).size(), 201);
        QCOMPARE(npy(p("snr.npy")).sizes(), (at::IntArrayRef{2, 200, 1}));
    }

    void trainSavesOnCtrlCAndResumes()
    {
        QProcess train;
        train.start(qEnvironmentVariable("DIFFSCOPE_CLI"),
                    {"train", "--preset", "two-moons", "--steps", "1000000", "--output-dir", p("runs"), "--name", "ctrlc",
                     "--network", R"({"kind":"mlp","hidden":16,"layers":1,"time_dim":8})", "--quiet"});
        QVERIFY(train.waitForStarted());
        // Wait until training is under way (the log gets lines), then interrupt.
        QElapsedTimer clock;
        clock.start();
        while (csvLines(p("runs/ctrlc/loss.csv")).size() < 60 && clock.elapsed() < 60000)
            QTest::qWait(100);
        ::kill(pid_t(train.processId()), SIGINT);
        QVERIFY(train.waitForFinished(30000));
        QCOMPARE(train.exitStatus(), QProcess::NormalExit);
        QCOMPARE(train.exitCode(), 130);
        QVERIFY(QFile::exists(p("runs/ctrlc/latest.dsckpt")));
        auto info = runCli({"info", p("runs/ctrlc/latest.dsckpt"), "--json"});
        QCOMPARE(info.exitCode, 0);
        QVERIFY(info.out.contains("resumable"));
        // --resume continues from the saved step to a new total.
        auto resumed = runCli({"train", "--resume", p("runs/ctrlc/latest.dsckpt"), "--steps", "2000", "--quiet"});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QCOMPARE(QJsonDocument::fromJson(runCli({"info", p("runs/ctrlc/latest.dsckpt"), "--json"}).out.toUtf8())
                     .object()["notes"].toString().section(',', 0, 0), QString("step 2000"));
    }

    void infoJsonDescribesTheModel()
    {
        auto r = runCli({"info", p("eps.pt"), "--json"});
        QCOMPARE(r.exitCode, 0);
        auto json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(json["prediction"].toString(), QString("epsilon"));
        QCOMPARE(json["kind"].toString(), QString("torchscript"));
        QCOMPARE(json["schedule"].toObject()["T"].toInt(), 1000);
    }
};

DS_TEST_SUITE(CliOutputsTest, "cli_outputs");
#include "test_cli_outputs.moc"
