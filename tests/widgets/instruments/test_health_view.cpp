// widgets/instruments/health_view: a model whose samples leave the data range (the Gaussian
// oracle of data centred at 3, range [−1, 1]) raises the out-of-range flag in red; a matching
// Gaussian oracle is healthy in green; the demo DDPM reports what `diffscope-cli health
// --json` reports for the same seed and options; the exports hold the report.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/chart_adapter.h"
#include "core/instruments/health_export.h"
#include "widgets/instruments/health_view.h"

#include "core/io/resource_paths.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace ds;

namespace {

bool runAndWait(HealthView& view)
{
    QSignalSpy done(&view, &HealthView::finished);
    view.run();
    return done.wait(300000) && !view.running();
}

void small(HealthView& view)
{
    view.setCount(64);
    view.setSamples(8);
    view.setSteps(10);
    view.setBuckets(5);
}

// diffscope-cli: $DIFFSCOPE_CLI, or build/app/diffscope-cli beside build/tests/widgets.
QString cliProgram()
{
    const auto fromEnv = qEnvironmentVariable("DIFFSCOPE_CLI");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const auto path = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../../app/diffscope-cli"));
    return QFileInfo(path).isExecutable() ? QFileInfo(path).canonicalFilePath() : QString();
}

// Every number of `a` equals `b`'s to a relative 1e-9 (the two runs may sum in another order).
void compareJson(const nlohmann::json& a, const nlohmann::json& b, const std::string& where)
{
    QVERIFY2(a.type() == b.type() || (a.is_number() && b.is_number()), where.c_str());
    if (a.is_number()) {
        const double x = a.get<double>(), y = b.get<double>();
        QVERIFY2(std::abs(x - y) <= 1e-9 * std::max(1.0, std::abs(y)),
                 (where + ": " + std::to_string(x) + " vs " + std::to_string(y)).c_str());
    } else if (a.is_object()) {
        QCOMPARE(a.size(), b.size());
        for (auto it = a.begin(); it != a.end(); ++it) {
            QVERIFY2(b.contains(it.key()), (where + "." + it.key()).c_str());
            compareJson(it.value(), b.at(it.key()), where + "." + it.key());
        }
    } else if (a.is_array()) {
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i)
            compareJson(a[i], b[i], where + "[" + std::to_string(i) + "]");
    } else if (!a.is_string()) { // strings: flags carry the same numbers printed, compared above
        QVERIFY2(a == b, where.c_str());
    }
}

} // namespace

class HealthViewTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void outOfRangeSamplesAreFlagged()
    {
        test::Engine engine;
        QVERIFY(engine.open(QStringLiteral("oracle:gaussian?mean=3&std=0.5&shape=1x8x8")));
        HealthView view(engine.model);
        small(view);
        QVERIFY(runAndWait(view));
        QVERIFY2(view.hasReport(), qPrintable(view.outcome().error));
        const auto& r = view.outcome().report;
        QVERIFY(r.samplesOutside > 0.9); // N(3, 0.5²) against [−1, 1]
        bool flagged = false;
        for (const auto& f : view.shownFlags())
            flagged = flagged || f.contains(QStringLiteral("outside the data range"));
        QVERIFY2(flagged, qPrintable(view.verdictText()));
        QVERIFY(view.verdictText().startsWith(QStringLiteral("FLAG: ")));
        // Raw values: the samples' mean is shown as it is (about 3), not rescaled.
        QVERIFY(std::abs(r.samples.mean - 3) < 0.5);
        QVERIFY2(view.statsText().contains(QString::number(r.samples.mean, 'g', 6)), qPrintable(view.statsText()));
        QCOMPARE(view.table().rowCount(), 5);
    }

    void matchingOracleIsHealthy()
    {
        test::Engine engine;
        QVERIFY(engine.open(QStringLiteral("oracle:gaussian?mean=0&std=0.5&shape=1x8x8")));
        HealthView view(engine.model);
        small(view);
        QVERIFY(runAndWait(view));
        QVERIFY2(view.hasReport(), qPrintable(view.outcome().error));
        QVERIFY2(view.shownFlags().isEmpty(), qPrintable(view.verdictText()));
        QCOMPARE(view.verdictText(), QStringLiteral("healthy: no problems found"));
        // The oracle is its own reference: its error equals the oracle column; the chart has 3 curves.
        QVERIFY(view.outcome().hasReference);
        QCOMPARE(view.outcome().empiricalOracleItems, int64_t(0));
        QVERIFY(!view.statsText().contains("memorises"));
        for (const auto& b : view.outcome().report.buckets)
            QCOMPARE(b.mse, b.oracleMse);
        view.chart().flush();
        QCOMPARE(view.chart().series().size(), 3);
        // Exports: JSON as the CLI writes it, CSV one row per bucket.
        const auto json = dir_.filePath("h.json"), csv = dir_.filePath("h.csv");
        QCOMPARE(view.exportJson(json), QString());
        QCOMPARE(view.exportCsv(csv), QString());
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto doc = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(doc.at("healthy").get<bool>(), true);
        QCOMPARE(int(doc.at("buckets").size()), 5);
        QFile c(csv);
        QVERIFY(c.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(c.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 6);
        QCOMPARE(lines[0], QStringLiteral("t_begin,t_end,mse,constant_mse,oracle_mse"));
        QVERIFY(!view.exportJson(QStringLiteral("/nonexistent-dir/h.json")).isEmpty());
    }

    void demoDdpmMatchesTheCli()
    {
        if (!test::fashionMnistInstalled())
            QSKIP("Fashion-MNIST is not installed");
        const auto cli = cliProgram();
        if (cli.isEmpty())
            QSKIP("diffscope-cli not found (set DIFFSCOPE_CLI)");
        const auto demo = QString::fromStdString(resourcePath("demo/fashion_mnist_ddpm.dsckpt"));
        test::Engine engine;
        QVERIFY(engine.open(demo));
        HealthView view(engine.model);
        view.setCount(32);
        view.setOracleCount(100);
        view.setSamples(4);
        view.setSteps(5);
        view.setBuckets(4);
        view.setSeed(3);
        QVERIFY(runAndWait(view));
        QVERIFY2(view.hasReport(), qPrintable(view.outcome().error));
        QProcess p;
        p.start(cli, {"health", "--checkpoint", demo, "--count", "32", "--oracle-count", "100", "--samples", "4",
                      "--steps", "5", "--buckets", "4", "--seed", "3", "--json"});
        QVERIFY(p.waitForFinished(300000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto fromCli = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        const auto fromView = nlohmann::json::parse(healthReportJson(view.outcome().report));
        compareJson(fromView, fromCli, "report");
        QCOMPARE(fromView.at("flags").size(), fromCli.at("flags").size());
        // The oracle column is the empirical oracle of 100 training images, and the view says
        // what that means for held-out error; a Gaussian oracle (its own reference) says nothing.
        QCOMPARE(view.outcome().empiricalOracleItems, int64_t(100));
        QVERIFY2(view.statsText().contains("first 100 training images") && view.statsText().contains("memorises"),
                 qPrintable(view.statsText()));
    }
};

DS_TEST_SUITE(HealthViewTest, "health_view");
#include "test_health_view.moc"
