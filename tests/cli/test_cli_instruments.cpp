// The instruments' commands as a user runs them (issue 13): spectrum, probe, roundtrip,
// health, sample --fork-at / --picard-residuals, and replay of a manifest.
#include "cli_test_case.h"
#include "core/io/npy.h"
#include "core/schedule.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace ds::test;

namespace {

at::Tensor npy(const QString& path) { return ds::loadNpy(path.toStdString()); }

// A CSV as a header and rows of numbers.
struct Csv {
    QStringList header;
    std::vector<std::vector<double>> rows;
    int column(const QString& name) const { return int(header.indexOf(name)); }
};

Csv readCsv(const QString& path)
{
    Csv csv;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return csv;
    auto lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    if (lines.isEmpty())
        return csv;
    csv.header = lines.takeFirst().split(',');
    for (const auto& line : lines) {
        std::vector<double> row;
        for (const auto& cell : line.split(','))
            row.push_back(cell == "nan" || cell == "-nan" ? NAN
                          : cell == "inf"                  ? INFINITY
                          : cell == "-inf"                 ? -INFINITY
                                                           : cell.toDouble());
        csv.rows.push_back(row);
    }
    return csv;
}

const QString kGaussian = "oracle:gaussian?shape=1x8x8&mean=0.1&std=0.3";

} // namespace

class CliInstrumentsTest : public CliTestCase {
    Q_OBJECT
    void expectFailure(const QStringList& args, const QString& text)
    {
        auto r = runCli(args);
        QVERIFY2(!r.crashed && r.exitCode != 0, qPrintable(args.join(' ')));
        QVERIFY2(r.err.contains(text), qPrintable(r.err));
        QVERIFY2(r.err.trimmed().count('\n') == 0, qPrintable("more than one line: " + r.err));
    }

private Q_SLOTS:
    void spectrumOfSamplesAndTrajectory()
    {
        // White N(0, 1) "samples": the spectrum CSV is flat at 1 and sums to the energy.
        at::manual_seed(1);
        auto white = at::randn({300, 1, 8, 8});
        ds::saveNpy(p("white.npy").toStdString(), white);
        expectSuccess({"spectrum", "--images", p("white.npy"), "--csv", p("white.csv"), "--npy", p("white_s.npy"),
                       "--quiet"});
        auto csv = readCsv(p("white.csv"));
        QCOMPARE(csv.header, (QStringList{"radius", "count", "power"}));
        QCOMPARE(int(csv.rows.size()), int(npy(p("white_s.npy")).size(0)));
        for (const auto& row : csv.rows)
            QVERIFY2(std::abs(row[2] - 1.0) < 0.25, qPrintable(QString::number(row[2])));

        expectSuccess({"sample", "--checkpoint", kGaussian, "--sampler", "ddim", "--steps", "6", "--n", "4",
                       "--out", p("g.npy"), "--trajectory", p("g_traj.npy"), "--quiet"});
        expectSuccess({"spectrum", "--trajectory", p("g_traj.npy"), "--csv", p("g.csv"), "--quiet"});
        auto traj = readCsv(p("g.csv"));
        QCOMPARE(traj.header, (QStringList{"t", "radius", "count", "xt", "x0"}));
        const int bins = int(csv.rows.size());
        QCOMPARE(int(traj.rows.size()), 7 * bins);
        QCOMPARE(traj.rows.front()[0], 1000.0);
        QVERIFY(!std::isnan(traj.rows.front()[4])); // x_T's x̂0 is the first step's
        QCOMPARE(traj.rows.back()[0], 0.0);
        // Frame 0 is x_T ~ N(0, I): its count-weighted mean power is the mean x² ≈ 1 (256 values).
        double energy = 0, frequencies = 0;
        for (int r = 0; r < bins; ++r) {
            energy += traj.rows[size_t(r)][2] * traj.rows[size_t(r)][3];
            frequencies += traj.rows[size_t(r)][2];
        }
        QVERIFY2(std::abs(energy / frequencies - 1.0) < 0.35, qPrintable(QString::number(energy / frequencies)));
        // The last frame is the samples: the same spectrum as `spectrum --images` of them.
        expectSuccess({"spectrum", "--images", p("g.npy"), "--csv", p("g_last.csv"), "--quiet"});
        auto direct = readCsv(p("g_last.csv"));
        QCOMPARE(int(direct.rows.size()), bins);
        for (int r = 0; r < bins; ++r)
            QVERIFY(std::abs(traj.rows[size_t(6 * bins + r)][3] - direct.rows[size_t(r)][2]) <= 1e-9 * direct.rows[size_t(r)][2]);

        expectFailure({"spectrum", "--images", p("g_traj.npy"), "--csv", p("x.csv")}, "[N, C, H, W]");
        expectFailure({"spectrum", "--csv", p("x.csv")}, "--images");
    }

    void probeFollowsPixelsAcrossSamplers()
    {
        expectSuccess({"probe", "--checkpoint", kGaussian, "--pixels", "2,3;5,5", "--samplers", "ddim,ddpm",
                       "--steps", "10", "--seed", "7", "--csv", p("probe.csv"), "--quiet"});
        auto csv = readCsv(p("probe.csv"));
        QCOMPARE(csv.header, (QStringList{"sampler", "pixel", "y", "x", "t", "t_over_T", "log_snr", "nfe", "xt", "x0"}));
        QCOMPARE(int(csv.rows.size()), 2 * 2 * 11);
        // Rows: ddim pixel 0 (11 frames), ddim pixel 1, ddpm pixel 0, ddpm pixel 1.
        QCOMPARE(csv.rows[0][8], csv.rows[22][8]); // the same x_T for both samplers
        QVERIFY(csv.rows[10][8] != csv.rows[32][8]); // but their own paths
        ds::Schedule schedule(ds::ScheduleSpec::linear(1000));
        const int t = csv.column("t"), lambda = csv.column("log_snr"), nfe = csv.column("nfe");
        for (const auto& row : csv.rows) {
            if (row[size_t(t)] == 0) {
                QVERIFY(std::isinf(row[size_t(lambda)]));
                QCOMPARE(row[size_t(nfe)], 10.0);
                continue;
            }
            const double abar = schedule.alphaBarAt(int64_t(row[size_t(t)]) - 1);
            QVERIFY(std::abs(row[size_t(lambda)] - std::log(abar / (1 - abar))) < 1e-9);
        }
        expectFailure({"probe", "--checkpoint", kGaussian, "--pixels", "9,0", "--csv", p("bad.csv")}, "outside");
        expectFailure({"probe", "--checkpoint", kGaussian, "--pixels", "1;2", "--csv", p("bad.csv")}, "y,x");
        expectFailure({"probe", "--checkpoint", kGaussian, "--pixels", "1,1", "--samplers", "ddim,nope", "--csv",
                       p("bad.csv")}, "nope");
    }

    void roundTripReconstructsAndChecksMemorisation()
    {
        at::manual_seed(2);
        ds::saveNpy(p("x0.npy").toStdString(), 0.1 + 0.3 * at::randn({3, 1, 8, 8}));
        expectSuccess({"roundtrip", "--checkpoint", kGaussian, "--images", p("x0.npy"), "--sampler", "pf-ode-heun",
                       "--steps", "40", "--out", p("rec.npy"), "--error-map", p("err.npy"), "--xT", p("xT.npy"),
                       "--csv", p("curve.csv"), "--error-steps", "10,20,40", "--quiet"});
        auto x0 = npy(p("x0.npy")), rec = npy(p("rec.npy")), err = npy(p("err.npy"));
        QCOMPARE(rec.sizes(), x0.sizes());
        QVERIFY((rec - x0).abs().max().item<double>() < 1e-2);
        QVERIFY((err - (rec - x0).abs()).abs().max().item<double>() < 1e-6);
        auto curve = readCsv(p("curve.csv"));
        QCOMPARE(curve.header, (QStringList{"steps", "rmse", "max_error"}));
        QCOMPARE(int(curve.rows.size()), 3);
        QVERIFY(curve.rows[0][1] > 3 * curve.rows[2][1]); // second order: 16× in theory
        // Sampling back from the written x_T with `sample --init` gives the reconstruction.
        expectSuccess({"sample", "--checkpoint", kGaussian, "--sampler", "pf-ode-heun", "--steps", "40", "--init",
                       p("xT.npy"), "--out", p("back.npy"), "--quiet"});
        QVERIFY(at::allclose(npy(p("back.npy")), rec, 1e-5, 1e-6));
        expectFailure({"roundtrip", "--checkpoint", kGaussian, "--images", p("x0.npy"), "--sampler", "ddim", "--eta",
                       "1", "--out", p("r2.npy")}, "eta = 0");

        // The empirical oracle's reconstructions and samples sit on training images.
        const QString oracle = "oracle:fashion-mnist?n=40";
        auto r = expectSuccess({"roundtrip", "--checkpoint", oracle, "--dataset", "fashion-mnist", "--index", "3",
                                "--count", "2", "--steps", "30", "--out", p("fm.npy"), "--nearest-csv",
                                p("nearest.csv"), "--nearest-count", "40"});
        QVERIFY2(r.err.contains("always returns a training image"), qPrintable(r.err));
        auto nearest = readCsv(p("nearest.csv"));
        QCOMPARE(nearest.header, (QStringList{"kind", "sample", "distance", "index"}));
        QCOMPARE(int(nearest.rows.size()), 4);
        for (const auto& row : nearest.rows)
            QVERIFY2(row[2] < 0.05, qPrintable(QString::number(row[2])));
        QCOMPARE(nearest.rows[0][3], 3.0); // item 3 reconstructs to itself
    }

    void forkDriftsOnlyAfterTheForkStep()
    {
        const QStringList run{"sample", "--checkpoint", kGaussian, "--sampler", "ddim", "--steps", "10", "--n", "2",
                              "--seed", "5", "--out", p("parent.npy"), "--quiet"};
        // The parent's own options: zero drift everywhere, and the fork's samples are the parent's.
        expectSuccess(run + QStringList{"--fork-at", "4", "--fork-csv", p("same.csv"), "--fork-out", p("same.npy")});
        for (const auto& row : readCsv(p("same.csv")).rows)
            QCOMPARE(row[1], 0.0);
        QVERIFY(at::equal(npy(p("same.npy")), npy(p("parent.npy"))));
        // η = 0 → 1 after step 4: no drift up to it, drift after.
        expectSuccess(run + QStringList{"--fork-at", "4", "--fork-options", "{\"eta\": 1}", "--fork-csv", p("eta.csv")});
        auto csv = readCsv(p("eta.csv"));
        QCOMPARE(csv.header, (QStringList{"t", "drift", "drift_x0"}));
        QCOMPARE(int(csv.rows.size()), 11);
        for (int i = 0; i < 11; ++i)
            QVERIFY2(i <= 4 ? csv.rows[size_t(i)][1] == 0.0 : csv.rows[size_t(i)][1] > 0.0, qPrintable(QString::number(i)));
        expectFailure(run + QStringList{"--fork-at", "4", "--fork-options", "{\"etta\": 1}", "--fork-csv", p("x.csv")},
                      "etta");
        expectFailure(run + QStringList{"--fork-at", "10", "--fork-csv", p("x.csv")}, "outside");
        expectFailure(run + QStringList{"--fork-csv", p("x.csv")}, "--fork-at");
    }

    void picardResidualRecord()
    {
        expectSuccess({"sample", "--checkpoint", kGaussian, "--sampler", "picard-ddim", "--steps", "20", "--window",
                       "6", "--tolerance", "0.001", "--n", "2", "--out", p("pic.npy"), "--picard-residuals",
                       p("res.npy"), "--picard-csv", p("res.csv"), "--picard-tolerance", "0.5", "--picard-accept-csv",
                       p("acc.csv"), "--picard-accept-out", p("loose.npy"), "--quiet"});
        auto res = npy(p("res.npy"));
        QCOMPARE(res.size(1), int64_t(20));
        auto csv = readCsv(p("res.csv"));
        QCOMPARE(int(csv.rows.size()), int(res.size(0)));
        QCOMPARE(csv.header.mid(0, 5), (QStringList{"round", "window_begin", "window_end", "accepted", "sequential_calls"}));
        QCOMPARE(csv.rows.back()[3], 20.0);
        auto acc = readCsv(p("acc.csv"));
        QCOMPARE(int(acc.rows.size()), 20);
        for (const auto& row : acc.rows)
            QVERIFY(row[3] <= row[2]); // the looser τ' accepts no later
        QCOMPARE(npy(p("loose.npy")).sizes(), npy(p("pic.npy")).sizes());
        expectFailure({"sample", "--checkpoint", kGaussian, "--sampler", "ddim", "--steps", "5", "--out", p("d.npy"),
                       "--picard-residuals", p("r2.npy")}, "picard");
    }

    void healthFlagsAMisScaledModel()
    {
        auto r = expectSuccess({"health", "--checkpoint", kGaussian, "--count", "128", "--steps", "20", "--json"});
        auto json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY2(json["healthy"].toBool(), qPrintable(r.out));
        QCOMPARE(json["buckets"].toArray().size(), 10);
        // ε̂ = 5 x: a network whose output scale is off.
        saveTorchScriptModel(p("scaled.pt"), headerFor("[1, 8, 8]"), "return x * self.w * 10.0");
        ds::saveNpy(p("held.npy").toStdString(), 0.3 * at::randn({64, 1, 8, 8}));
        auto bad = expectSuccess({"health", "--checkpoint", p("scaled.pt"), "--images", p("held.npy"), "--steps", "20",
                                  "--json"});
        auto flagged = QJsonDocument::fromJson(bad.out.toUtf8()).object();
        QVERIFY2(!flagged["healthy"].toBool(), qPrintable(bad.out));
        QVERIFY(flagged["flags"].toArray().size() >= 1);
        expectFailure({"health", "--checkpoint", p("scaled.pt"), "--images", p("held.npy"), "--steps", "20", "--strict"},
                      "problem(s) found");
        auto text = expectSuccess({"health", "--checkpoint", p("scaled.pt"), "--images", p("held.npy"), "--steps", "20"});
        QVERIFY2(text.out.contains("FLAG:"), qPrintable(text.out));
    }

    void replayIsBitExactAndNamesAChangedCheckpoint()
    {
        saveTorchScriptModel(p("model.pt"), headerFor("[1, 4, 4]"));
        const QStringList run{"sample", "--checkpoint", p("model.pt"), "--sampler", "ddpm", "--steps", "6", "--n",
                              "2", "--seed", "3", "--out", p("r.npy"), "--trajectory", p("r_traj.npy"), "--quiet"};
        expectSuccess(run);
        const auto manifest = p("r.npy.manifest.json");
        QFile f(manifest);
        QVERIFY(f.open(QIODevice::ReadOnly));
        auto json = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(json["command"].toString(), QString("sample"));
        QCOMPARE(json["settings"].toObject()["seed"].toInt(), 3);
        QCOMPARE(json["settings"].toObject()["grid"].toArray().size(), 6);
        QCOMPARE(json["checkpoint"].toObject()["sha256"].toString().size(), 64);
        QCOMPARE(json["outputs"].toArray().size(), 4); // samples, trajectory, .t, .x0
        auto replay = expectSuccess({"replay", manifest});
        QVERIFY2(replay.out.contains("bit-exact: 4 file(s)"), qPrintable(replay.out + replay.err));
        // Another model under the same name: replay names the checkpoint's hash.
        saveTorchScriptModel(p("model.pt"), headerFor("[1, 4, 4]"), "return x * self.w * 0.5");
        auto changed = runCli({"replay", manifest});
        QVERIFY(!changed.crashed && changed.exitCode == 1);
        QVERIFY2(changed.out.contains("checkpoint") && changed.out.contains("SHA-256"), qPrintable(changed.out));
        QVERIFY2(changed.out.contains("--out"), qPrintable(changed.out)); // and the samples differ
        QVERIFY2(changed.err.contains("not bit-exact"), qPrintable(changed.err));
        // The recorded outputs are untouched by a replay.
        QVERIFY(QFile::exists(p("r.npy")));
        expectFailure({"replay", p("r.npy")}, "r.npy");
    }

    // Every command that writes files leaves a manifest that replays bit for bit, and says
    // which input changed when one did.
    void everyWritingCommandReplays()
    {
        const QList<QStringList> runs{
            {"forward", "--dataset", "fashion-mnist", "--count", "2", "--every", "100", "--seed", "4", "--out",
             p("fw.npy"), "--png", p("fw.png"), "--quiet"},
            {"schedule", "--schedule", "cosine", "--T", "50", "--out", p("sched.csv")},
            {"snr", "--dataset", "fashion-mnist", "--pixels", "3,4;10,12", "--csv", p("snr.csv"), "--npy", p("snr.npy")},
            {"spectrum", "--trajectory", p("fw.npy"), "--csv", p("spec.csv"), "--npy", p("spec.npy"), "--quiet"},
            {"probe", "--checkpoint", kGaussian, "--pixels", "2,3", "--samplers", "ddim,ddpm", "--steps", "5", "--csv",
             p("probe.csv"), "--quiet"},
            {"roundtrip", "--checkpoint", kGaussian, "--images", p("x0.npy"), "--steps", "8", "--out", p("rt.npy"),
             "--csv", p("rt.csv"), "--quiet"},
        };
        ds::saveNpy(p("x0.npy").toStdString(), at::linspace(-0.5, 0.7, 2 * 64).reshape({2, 1, 8, 8}));
        for (const auto& run : runs) {
            expectSuccess(run);
            const auto out = run[run.indexOf(run.contains("--out") ? "--out" : "--csv") + 1];
            const auto manifest = out + ".manifest.json";
            QVERIFY2(QFile::exists(manifest), qPrintable(run.join(' ')));
            auto replay = expectSuccess({"replay", manifest});
            QVERIFY2(replay.out.contains("bit-exact"), qPrintable(run.first() + ": " + replay.out + replay.err));
        }
        // spectrum read fw.npy: a changed input is named.
        ds::saveNpy(p("fw.npy").toStdString(), at::zeros({3, 2, 1, 28, 28}));
        auto changed = runCli({"replay", p("spec.csv.manifest.json")});
        QVERIFY(!changed.crashed && changed.exitCode != 0);
        QVERIFY2(changed.out.contains("input") && changed.out.contains("fw.npy"), qPrintable(changed.out + changed.err));
        // --no-manifest writes none.
        expectSuccess({"schedule", "--T", "20", "--out", p("plain.csv"), "--no-manifest"});
        QVERIFY(!QFile::exists(p("plain.csv.manifest.json")));
    }
};

DS_TEST_SUITE(CliInstrumentsTest, "cli_instruments");
#include "test_cli_instruments.moc"
