// core/training/run_folder and checkpoint_rotation: one writer per run folder (a live lock is
// refused naming folder and pid, a dead one is taken over), temp files of killed saves are
// removed, and rotation keeps the last N of this run's own steps.
#include "models/error.h"
#include "core/training/checkpoint_rotation.h"
#include "core/training/run_folder.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace ds;
namespace fs = std::filesystem;

namespace {

// The pid of a process that has ended (forked, exited, reaped).
int64_t deadPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

void touch(const std::string& path, const std::string& text = "x") { std::ofstream(path) << text; }

std::vector<std::string> names(const std::vector<std::string>& paths)
{
    std::vector<std::string> out;
    for (const auto& p : paths)
        out.push_back(fs::path(p).filename().string());
    return out;
}

} // namespace

class RunFolderTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string p(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }

private Q_SLOTS:
    void liveLockIsRefused()
    {
        const auto run = p("live");
        {
            RunLock first(run);
            std::ifstream in(first.path());
            int64_t pid = 0;
            in >> pid;
            QCOMPARE(pid, int64_t(::getpid()));
            DS_EXPECT_ERROR(RunLock second(run), run + ": another training (pid " + std::to_string(::getpid()) + ")");
        }
        QVERIFY(!fs::exists(run + "/.lock")); // released
        RunLock again(run);
    }

    void staleLockIsTakenOver()
    {
        const auto run = p("stale");
        fs::create_directories(run);
        const auto dead = deadPid();
        QVERIFY(!processAlive(dead));
        touch(run + "/.lock", std::to_string(dead) + "\n");
        std::string said;
        RunLock lock(run, [&](const std::string& text) { said = text; });
        QVERIFY2(said.find("stale lock of pid " + std::to_string(dead)) != std::string::npos, said.c_str());
        std::ifstream in(lock.path());
        int64_t pid = 0;
        in >> pid;
        QCOMPARE(pid, int64_t(::getpid()));
    }

    void staleTempFilesAreRemoved()
    {
        const auto run = p("temps");
        fs::create_directories(run);
        const auto dead = std::to_string(deadPid()), alive = std::to_string(::getpid());
        touch(run + "/.step_00000010.dsckpt.tmp-" + dead);
        touch(run + "/.latest.dsckpt.tmp-" + dead);
        touch(run + "/.step_00000020.dsckpt.tmp-" + alive); // a save in progress
        touch(run + "/step_00000010.dsckpt");
        auto removed = removeStaleTempFiles(run);
        std::sort(removed.begin(), removed.end());
        QCOMPARE(removed, (std::vector<std::string>{".latest.dsckpt.tmp-" + dead, ".step_00000010.dsckpt.tmp-" + dead}));
        QVERIFY(fs::exists(run + "/.step_00000020.dsckpt.tmp-" + alive));
        QVERIFY(fs::exists(run + "/step_00000010.dsckpt"));
    }

    // An earlier run reached step 500; this one resumed from step 300 and saves 350, 400.
    void rotationCountsOnlyThisRunsSteps()
    {
        const auto run = p("rotate");
        fs::create_directories(run);
        for (auto step : {"00000300", "00000400", "00000500"})
            touch(run + "/step_" + step + ".dsckpt");
        touch(run + "/step_00000350.dsckpt");
        rotateCheckpoints(run, 2, run + "/step_00000350.dsckpt");
        QCOMPARE(names(stepCheckpoints(run)),
                 (std::vector<std::string>{"step_00000300.dsckpt", "step_00000350.dsckpt", "step_00000400.dsckpt",
                                           "step_00000500.dsckpt"}));
        touch(run + "/step_00000400.dsckpt", "new");
        rotateCheckpoints(run, 2, run + "/step_00000400.dsckpt");
        QCOMPARE(names(stepCheckpoints(run)),
                 (std::vector<std::string>{"step_00000350.dsckpt", "step_00000400.dsckpt", "step_00000500.dsckpt"}));
        QVERIFY(fs::equivalent(run + "/latest.dsckpt", run + "/step_00000400.dsckpt"));
    }
};

DS_TEST_SUITE(RunFolderTest, "run_folder");
#include "test_run_folder.moc"
