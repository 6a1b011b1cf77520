// diffscope-cli bench-samplers: the scored rows on a trained model (here a 2D toy, scored by the
// sliced 2-Wasserstein distance), their wildcards and CSV, and bad arguments refused before the
// work starts.
#include "cli_test_case.h"
#include "tests/support/test_registry.h"

#include "core/io/resource_paths.h"

#include <QFile>
#include <QTest>

#include <cmath>
#include <map>

using namespace ds::test;

namespace {

const QString kToy = QString::fromStdString(ds::resourcePath("demo/two_moons.dsckpt"));

struct CsvRow {
    QString measure, sampler, spacing;
    int nfe = 0;
    double value = 0, std = 0;
};

std::vector<CsvRow> modelRows(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    std::vector<CsvRow> rows;
    const auto lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    for (const auto& line : lines) {
        const auto c = line.split(',');
        if (c.size() == 9 && c[1] == "model")
            rows.push_back({c[0], c[2], c[3], c[6].toInt(), c[7].toDouble(), c[8].toDouble()});
    }
    return rows;
}

} // namespace

class CliBenchSamplersTest : public CliTestCase {
    Q_OBJECT
private Q_SLOTS:
    // '*:*' expands to every sampler of --samplers × every grid of --spacings; each row is the
    // mean ± std of the toy's metric over the seeds, on the same x_T per seed for every row.
    void toyRowsCoverEverySamplerAndGrid()
    {
        auto r = runCli({"bench-samplers", "--schedules", "linear", "--samplers", "ddim,euler,ddpm", "--spacings",
                         "leading,trailing", "--nfe", "5", "--model-checkpoint", kToy, "--model-runs", "*:*",
                         "--model-n", "300", "--model-seeds", "2", "--batch", "150", "--csv", p("toy.csv")});
        QVERIFY2(!r.crashed && r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("sliced_wasserstein of ") && r.out.contains("floor (real data, same n)"), qPrintable(r.out));
        std::vector<CsvRow> rows, paired;
        for (const auto& row : modelRows(p("toy.csv")))
            (row.measure == "sliced_wasserstein_paired_delta" ? paired : rows).push_back(row);
        QCOMPARE(rows.size(), size_t(6));
        std::map<std::pair<QString, QString>, CsvRow> by;
        for (const auto& row : rows) {
            QCOMPARE(row.measure, QString("sliced_wasserstein"));
            QCOMPARE(row.nfe, 5);
            QVERIFY(std::isfinite(row.value) && row.value > 0);
            QVERIFY(row.std > 0); // two seeds draw different x_T
            by[{row.sampler, row.spacing}] = row;
        }
        // Euler in σ is DDIM with η = 0 written another way (Karras et al. 2022 §3): on the same
        // x_T they give the same samples, so the same scores to rounding.
        for (const QString spacing : {"leading", "trailing"}) {
            const auto& ddim = by[{"ddim", spacing}];
            const auto& euler = by[{"euler", spacing}];
            QVERIFY2(std::abs(ddim.value - euler.value) <= 1e-3 * ddim.value,
                     qPrintable(QString("%1: ddim %2 vs euler %3").arg(spacing).arg(ddim.value).arg(euler.value)));
        }
        // DDPM draws fresh noise every step: it is not the deterministic pair's twin.
        QVERIFY(std::abs(by[{"ddpm", "leading"}].value - by[{"ddim", "leading"}].value) > 1e-6);

        // Paired rows: every run but the first (ddim:leading) minus it, seed by seed. The mean of
        // the differences is the difference of the means; Euler, DDIM's twin, differs from it by
        // rounding on every seed, so its Δ's spread is far below either row's spread over seeds.
        QCOMPARE(paired.size(), size_t(5));
        const auto& reference = by[{"ddim", "leading"}];
        for (const auto& d : paired) {
            const auto& row = by[{d.sampler, d.spacing}];
            QVERIFY2(std::abs(d.value - (row.value - reference.value)) <= 1e-9 * reference.value,
                     qPrintable(QString("%1:%2 Δ %3").arg(d.sampler, d.spacing).arg(d.value)));
            QVERIFY(std::isfinite(d.std) && d.std >= 0);
            if (d.sampler == "euler" && d.spacing == "leading")
                QVERIFY2(d.std < 0.01 * reference.std, qPrintable(QString("paired std %1 vs %2").arg(d.std).arg(reference.std)));
        }
        QVERIFY2(r.out.contains("| euler | leading | 5 | ddim:leading | "), qPrintable(r.out));
    }

    // --model-clip clamps x̂0 to the data range ([-4, 4] for the toys). One DDIM step from the
    // trailing grid's k = T − 1 returns x̂0 itself, where ε̂'s error is multiplied by
    // √((1 − ᾱ)/ᾱ) ≈ 158: unclipped, points land far outside the range, clipped they cannot.
    void modelClipClampsTheEstimate()
    {
        auto rowsWith = [&](const QStringList& extra, const QString& csv) {
            auto r = runCli(QStringList{"bench-samplers", "--schedules", "linear", "--samplers", "ddim", "--spacings",
                                        "leading", "--nfe", "1", "--model-checkpoint", kToy, "--model-runs",
                                        "ddim:trailing", "--model-n", "400", "--model-seeds", "1", "--csv", p(csv)}
                            + extra);
            [&] { QVERIFY2(!r.crashed && r.exitCode == 0, qPrintable(r.err)); }();
            return modelRows(p(csv));
        };
        const auto plain = rowsWith({}, "plain.csv"), clipped = rowsWith({"--model-clip"}, "clipped.csv");
        QCOMPARE(plain.size(), size_t(1));
        QCOMPARE(clipped.size(), size_t(1));
        QCOMPARE(plain[0].measure, QString("sliced_wasserstein"));
        QCOMPARE(clipped[0].measure, QString("sliced_wasserstein_clipped"));
        QVERIFY2(clipped[0].value < plain[0].value,
                 qPrintable(QString("clipped %1 vs plain %2").arg(clipped[0].value).arg(plain[0].value)));
    }

    void oldFidOptionNamesStillWork()
    {
        auto r = runCli({"bench-samplers", "--schedules", "linear", "--samplers", "ddim", "--spacings", "leading",
                         "--nfe", "3", "--fid-checkpoint", kToy, "--fid-runs", "ddim:trailing", "--fid-n", "50",
                         "--fid-seeds", "1"});
        QVERIFY2(!r.crashed && r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("| ddim | trailing | 3 |"), qPrintable(r.out));
    }

    void badRunsAreRefusedBeforeTheWork()
    {
        const QStringList base{"bench-samplers", "--schedules", "linear", "--nfe", "3", "--model-checkpoint", kToy};
        struct Case {
            QStringList extra;
            const char* message;
        };
        const Case cases[] = {
            {{"--model-runs", "ddim"}, "'ddim' is not sampler:spacing"},
            {{"--model-runs", "ddim:sideways"}, "sideways"},
            {{"--model-runs", "nope:leading"}, "unknown sampler 'nope'"},
            {{"--model-runs", "dnm:leading"}, "dnm does not drive a denoiser"},
            {{"--model-runs", "ddim:leading", "--model-n", "1"}, "--model-n must be >= 2"},
        };
        for (const auto& c : cases) {
            auto r = runCli(base + c.extra);
            QVERIFY2(!r.crashed && r.exitCode == 1, qPrintable(c.extra.join(' ')));
            QVERIFY2(r.err.contains(c.message), qPrintable(r.err));
            QVERIFY2(!r.out.contains("schedule (T = 1000)"), qPrintable(r.out)); // no table was computed
        }
        auto r = runCli({"bench-samplers", "--model-runs", "ddim:leading"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--model-runs needs --model-checkpoint"), qPrintable(r.err));
    }

    // A model whose data set has no metric, or no model file, is refused before any work.
    void modelWithoutAMetricIsRefused()
    {
        saveTorchScriptModel(p("eps.pt"), headerFor("[1, 4, 4]"));
        auto r = runCli({"bench-samplers", "--schedules", "linear", "--samplers", "ddim", "--spacings", "leading",
                         "--nfe", "3", "--model-checkpoint", p("eps.pt"), "--model-runs", "ddim:leading"});
        QVERIFY2(!r.crashed && r.exitCode == 1, qPrintable(r.err));
        QVERIFY2(r.err.contains("no metric for data set"), qPrintable(r.err));
        QVERIFY2(!r.out.contains("schedule (T = 1000)"), qPrintable(r.out)); // refused before the exact table
        r = runCli({"bench-samplers", "--model-checkpoint", p("missing.dsckpt"), "--model-runs", "ddim:leading"});
        QVERIFY2(!r.crashed && r.exitCode == 1 && r.err.contains("missing.dsckpt"), qPrintable(r.err));
        QVERIFY2(!r.out.contains("schedule (T = 1000)"), qPrintable(r.out));
    }
};

DS_TEST_SUITE(CliBenchSamplersTest, "cli_bench_samplers");
#include "test_cli_bench_samplers.moc"
