// diffscope-cli bench --scaling: the batch-scaling curve (table and CSV), the Picard choice
// printed from it, bench --together (panes with merged network calls), and the TorchScript
// inference note shown by `info`.
#include "cli_test_case.h"
#include "tests/support/test_registry.h"

#include <QFile>
#include <QTest>

using namespace ds::test;

class CliBenchScalingTest : public CliTestCase {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { saveTorchScriptModel(p("eps.pt"), headerFor("[1, 4, 4]")); }

    void curveIsPrintedAndWritten()
    {
        auto r = runCli({"bench", "--scaling", "--checkpoint", p("eps.pt"), "--max-batch", "8", "--scaling-passes", "3",
                         "--scaling-csv", p("curve.csv"), "--picard-samples", "2", "--picard-steps", "16"});
        QVERIFY2(!r.crashed && r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("| 8 |"));
        QVERIFY(r.out.contains("chosen: "));
        QVERIFY(r.out.contains("| 16 | 32 |")); // the whole chain as a window: 16 steps × 2 samples
        QFile f(p("curve.csv"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5); // header + batches 1, 2, 4, 8
        QCOMPARE(lines[0], QString("batch,seconds_per_call,seconds_per_sample"));
        QVERIFY(lines[4].startsWith("8,"));
        const auto cells = lines[4].split(',');
        QVERIFY(cells[1].toDouble() > 0);
        QVERIFY(std::abs(cells[2].toDouble() - cells[1].toDouble() / 8) <= 1e-6 * cells[1].toDouble());
    }

    void badScalingOptionsAreRefused()
    {
        auto r = runCli({"bench", "--scaling", "--checkpoint", p("eps.pt"), "--max-batch", "0"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--max-batch must be >= 1"), qPrintable(r.err));
        r = runCli({"bench", "--scaling", "--checkpoint", p("eps.pt"), "--picard-slide", "0.5", "--max-batch", "2"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("expected slide"), qPrintable(r.err));
    }

    // Panes of one TorchScript model run alone and then with their calls merged: the table
    // names each pane, the summary the merged calls, and a single pane is refused.
    void panesRunTogether()
    {
        auto r = runCli({"bench", "--together", "--checkpoint", p("eps.pt"), "--runs", "ddim:6,ddpm:4,euler:5", "--n", "2"});
        QVERIFY2(!r.crashed && r.exitCode == 0, qPrintable(r.err));
        for (const char* pane : {"| ddim:6 | 6 |", "| ddpm:4 | 4 |", "| euler:5 | 5 |"})
            QVERIFY2(r.out.contains(pane), qPrintable(r.out));
        QVERIFY2(r.out.contains("network calls for 15 pane calls, largest 6 rows"), qPrintable(r.out));
        r = runCli({"bench", "--together", "--checkpoint", p("eps.pt"), "--runs", "ddim:6"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("at least two --runs"), qPrintable(r.err));
    }

    void infoShowsTheInferencePath()
    {
        auto r = runCli({"info", p("eps.pt")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("inference: frozen + optimize_for_inference"), qPrintable(r.out));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("DIFFSCOPE_FREEZE", "0");
        r = runCli({"info", p("eps.pt")}, env);
        QVERIFY2(r.out.contains("inference: not frozen"), qPrintable(r.out));
    }
};

DS_TEST_SUITE(CliBenchScalingTest, "cli_bench_scaling");
#include "test_cli_bench_scaling.moc"
