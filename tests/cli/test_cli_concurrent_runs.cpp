// Two trainings, one run folder (issue 14), started at the same moment rather than one after
// the other (cli_hardening covers that): of two `train --name X` and of two `--resume` of one
// checkpoint exactly one runs, the other is refused naming the owner's pid, and the winner's
// loss log and checkpoints come out whole (each step once, every checkpoint loads).
#include "cli_test_case.h"
#include "core/io/checkpoint.h"
#include "core/training/checkpoint_rotation.h"
#include "tests/support/test_registry.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <cctype>
#include <fstream>

using namespace ds::test;

namespace {

QString cliPath() { return qEnvironmentVariable("DIFFSCOPE_CLI", "diffscope-cli"); }
const QString kTinyMlp = R"({"kind":"mlp","hidden":8,"layers":1,"time_dim":4})";

struct Finished {
    int exitCode = -1;
    QString err;
};

// Starts every argument list at once, then waits for all.
std::vector<Finished> together(const std::vector<QStringList>& runs)
{
    std::vector<std::unique_ptr<QProcess>> procs;
    for (const auto& args : runs) {
        procs.push_back(std::make_unique<QProcess>());
        procs.back()->start(cliPath(), args);
    }
    std::vector<Finished> out;
    for (auto& proc : procs) {
        proc->waitForFinished(120000);
        out.push_back({proc->exitStatus() == QProcess::NormalExit ? proc->exitCode() : -1,
                       QString::fromUtf8(proc->readAllStandardError())});
    }
    return out;
}

} // namespace

class CliConcurrentRunsTest : public CliTestCase {
    Q_OBJECT
    QStringList train(const QString& name, int steps) const
    {
        return {"train", "--dataset", "two-moons", "--dataset-limit", "256", "--network", kTinyMlp, "--output-dir",
                p("runs"), "--name", name, "--preview-every", "0", "--steps", QString::number(steps),
                "--checkpoint-every", "100", "--quiet"};
    }

    // One of the two ran to the end, the other was refused with one line naming the folder.
    void expectOneWinner(const std::vector<Finished>& r, const QString& run)
    {
        QCOMPARE(int(r.size()), 2);
        const int winners = int(r[0].exitCode == 0) + int(r[1].exitCode == 0);
        QVERIFY2(winners == 1, qPrintable(QString("exits %1 and %2: %3 | %4").arg(r[0].exitCode).arg(r[1].exitCode)
                                              .arg(r[0].err, r[1].err)));
        const auto& loser = r[0].exitCode == 0 ? r[1] : r[0];
        QCOMPARE(loser.exitCode, 1);
        QVERIFY2(loser.err.contains(run) && loser.err.contains("another training (pid"), qPrintable(loser.err));
        QVERIFY2(loser.err.trimmed().count('\n') == 0, qPrintable(loser.err));
    }

    // Steps 1..last once each, in order, three fields a row; every checkpoint loads.
    void expectWholeRun(const QString& run, int64_t last)
    {
        std::ifstream in((run + "/loss.csv").toStdString());
        std::string line;
        int64_t expected = 1;
        while (std::getline(in, line)) {
            if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0])))
                continue;
            QVERIFY2(std::count(line.begin(), line.end(), ',') == 2, line.c_str());
            QCOMPARE(std::stoll(line), expected++);
        }
        QCOMPARE(expected - 1, last);
        const auto checkpoints = ds::stepCheckpoints(run.toStdString());
        QVERIFY(!checkpoints.empty());
        for (const auto& path : checkpoints)
            QVERIFY(ds::loadCheckpoint(path).header.trainingState);
        QCOMPARE(ds::loadCheckpoint((run + "/latest.dsckpt").toStdString()).header.step, last);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void sameNameStartedTogether()
    {
        for (int round = 0; round < 3; ++round) {
            const auto name = QString("same%1").arg(round);
            const auto r = together({train(name, 600), train(name, 600)});
            expectOneWinner(r, p("runs/" + name));
            expectWholeRun(p("runs/" + name), 600);
        }
    }

    void twoResumesOfOneCheckpoint()
    {
        auto base = runCli(train("resumed", 100));
        QVERIFY2(base.exitCode == 0, qPrintable(base.err));
        const auto start = p("step_00000100.dsckpt"); // a copy: rotation removes the run's own
        QVERIFY(QFile::copy(p("runs/resumed/step_00000100.dsckpt"), start));
        for (int round = 0; round < 2; ++round) {
            const auto steps = QString::number(700 + 100 * round);
            const QStringList resume{"train", "--resume", start, "--steps", steps, "--quiet"};
            const auto r = together({resume, resume});
            expectOneWinner(r, p("runs/resumed"));
            expectWholeRun(p("runs/resumed"), steps.toLongLong());
        }
    }
};

DS_TEST_SUITE(CliConcurrentRunsTest, "cli_concurrent_runs");
#include "test_cli_concurrent_runs.moc"
