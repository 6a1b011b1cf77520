// Crash recovery and the run lock under races (issue 14): exactly one of many writers racing
// for a run folder wins, also when they race to take over a dead owner's lock; a clean end
// (finished, cancelled) leaves an end mark; findInterruptedRuns() offers exactly the folders a
// run left without one and without a live owner, with the newest checkpoint that loads.
#include "models/error.h"
#include "core/io/checkpoint.h"
#include "core/stop_token.h"
#include "core/training/run_folder.h"
#include "core/training/run_recovery.h"
#include "core/training/training_job.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"
#include "tests/support/toy_training.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace ds;
namespace fs = std::filesystem;

namespace {

// Forks `n` processes that wait on one pipe, then all try to lock `dir` at once; a winner holds
// the lock for 300 ms so every loser meets it. Returns how many won.
int racingWinners(const std::string& dir, int n)
{
    int start[2], result[2];
    if (::pipe(start) != 0 || ::pipe(result) != 0)
        return -1;
    std::vector<pid_t> children;
    for (int i = 0; i < n; ++i) {
        const pid_t child = ::fork();
        if (child == 0) {
            ::close(start[1]);
            char go = 0;
            (void)!::read(start[0], &go, 1); // returns when the parent closes the pipe
            char won = 'L';
            try {
                RunLock lock(dir);
                won = 'W';
                (void)!::write(result[1], &won, 1);
                ::usleep(300000);
            } catch (const Error&) {
                (void)!::write(result[1], &won, 1);
            }
            ::_exit(0);
        }
        children.push_back(child);
    }
    ::close(start[0]);
    ::close(start[1]); // all children start now
    ::close(result[1]);
    int winners = 0, answers = 0;
    char c = 0;
    while (::read(result[0], &c, 1) == 1) {
        ++answers;
        winners += c == 'W';
    }
    ::close(result[0]);
    for (auto child : children)
        ::waitpid(child, nullptr, 0);
    return answers == n ? winners : -1;
}

int64_t deadPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

// A run of `steps` steps with a checkpoint after each, finished (and so end-marked).
TrainingOutcome finishedRun(const std::string& root, const std::string& name, int64_t steps)
{
    auto c = test::tinyToyRun(root, name, steps);
    c.checkpointEvery = 1;
    c.keepCheckpoints = 10;
    return TrainingJob(c).run({}, StopToken());
}

} // namespace

class RunRecoveryTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string p(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }

private Q_SLOTS:
    void racingWritersOneWins()
    {
        for (int round = 0; round < 3; ++round) {
            const auto run = p("race" + std::to_string(round));
            QCOMPARE(racingWinners(run, 8), 1);
            QVERIFY(!fs::exists(run + "/.lock")); // the winner released it
        }
    }

    void racingTakeoverOfADeadOwnerOneWins()
    {
        for (int round = 0; round < 3; ++round) {
            const auto run = p("stale" + std::to_string(round));
            fs::create_directories(run);
            std::ofstream(run + "/.lock") << deadPid() << "\n";
            QCOMPARE(racingWinners(run, 8), 1);
        }
        const auto empty = p("empty-lock"); // a writer killed between creating and filling it
        fs::create_directories(empty);
        std::ofstream(empty + "/.lock").close();
        QCOMPARE(racingWinners(empty, 4), 1);
    }

    void heldLockIsSeenWithoutTakingIt()
    {
        const auto run = p("held");
        {
            RunLock lock(run);
            QVERIFY(runLockHeld(run));
            QVERIFY(runLockHeld(run)); // asking twice takes nothing
            DS_EXPECT_ERROR(RunLock second(run), "pid " + std::to_string(::getpid()));
        }
        QVERIFY(!runLockHeld(run));
        QVERIFY(!runLockHeld(p("no-such-folder")));
    }

    void cleanEndsLeaveAnEndMark()
    {
        const auto finished = finishedRun(p("ends"), "done", 3);
        QCOMPARE(int(finished.status), int(TrainingStatus::Finished));
        QVERIFY(runEndedCleanly(p("ends/done")));
        std::ifstream in(endMarkPath(p("ends/done")));
        std::string text((std::istreambuf_iterator<char>(in)), {});
        QVERIFY2(text.find("\"status\":\"finished\"") != std::string::npos && text.find("\"step\":3") != std::string::npos,
                 text.c_str());

        StopToken stop;
        auto c = test::tinyToyRun(p("ends"), "stopped", 1000);
        auto cancelled = TrainingJob(c).run({[&](const TrainingProgress& pr) { if (pr.step == 2) stop.requestStop(); }, {}, {}, {}},
                                            stop);
        QCOMPARE(int(cancelled.status), int(TrainingStatus::Cancelled));
        QVERIFY(runEndedCleanly(p("ends/stopped")));

        // A writer that takes the folder again (a resume) removes the old mark with the lock.
        {
            RunLock lock(p("ends/stopped"));
            QVERIFY(!runEndedCleanly(p("ends/stopped")));
        }
        QCOMPARE(findInterruptedRuns(p("ends")).size(), size_t(1)); // lock taken, no end: interrupted
    }

    void interruptedRunsAreOfferedWithTheirNewestLoadableCheckpoint()
    {
        const auto root = p("root");
        QCOMPARE(int(finishedRun(root, "killed", 4).status), int(TrainingStatus::Finished));
        QCOMPARE(int(finishedRun(root, "clean", 2).status), int(TrainingStatus::Finished));
        QCOMPARE(int(finishedRun(root, "damaged", 3).status), int(TrainingStatus::Finished));
        QCOMPARE(int(finishedRun(root, "owned", 2).status), int(TrainingStatus::Finished));
        fs::remove(endMarkPath(root + "/killed")); // as a SIGKILL leaves it
        fs::remove(endMarkPath(root + "/damaged"));
        fs::remove(endMarkPath(root + "/owned"));
        for (const auto* name : {"latest.dsckpt", "step_00000003.dsckpt"}) // the newest two are torn
            fs::resize_file(root + "/damaged/" + name, fs::file_size(root + "/damaged/" + name) / 2);
        fs::create_directories(root + "/early");
        std::ofstream(root + "/early/loss.csv") << "step,loss,lr\n";
        fs::create_directories(root + "/not-a-run");
        std::ofstream(root + "/not-a-run/notes.txt") << "hello";
        const RunLock live(root + "/owned"); // a training still writing

        const auto runs = findInterruptedRuns(root);
        QCOMPARE(runs.size(), size_t(3));
        QCOMPARE(runs[0].name, std::string("damaged"));
        QCOMPARE(runs[0].step, int64_t(2));
        QCOMPARE(fs::path(runs[0].checkpoint).filename().string(), std::string("step_00000002.dsckpt"));
        QCOMPARE(runs[1].name, std::string("early"));
        QVERIFY(!runs[1].resumable());
        QVERIFY2(runs[1].problem.find("before its first checkpoint") != std::string::npos, runs[1].problem.c_str());
        QCOMPARE(runs[2].name, std::string("killed"));
        QVERIFY(runs[2].resumable());
        QCOMPARE(runs[2].step, int64_t(4));
        QCOMPARE(runs[2].totalSteps, int64_t(4));

        // What is offered resumes, and a dismissed run is not offered again.
        auto job = TrainingJob::resume(runs[0].checkpoint, 5);
        const auto outcome = job.run({}, StopToken());
        QCOMPARE(int(outcome.status), int(TrainingStatus::Finished));
        QCOMPARE(outcome.step, int64_t(5));
        dismissInterruptedRun(runs[1]);
        const auto later = findInterruptedRuns(root);
        QCOMPARE(later.size(), size_t(1));
        QCOMPARE(later[0].name, std::string("killed"));
        InterruptedRun owned;
        owned.dir = root + "/owned";
        owned.name = "owned";
        DS_EXPECT_ERROR(dismissInterruptedRun(owned), "another training");
        QVERIFY(findInterruptedRuns(p("no-such-root")).empty());
    }
};

DS_TEST_SUITE(RunRecoveryTest, "run_recovery");
#include "test_run_recovery.moc"
