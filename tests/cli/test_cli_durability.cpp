// diffscope-cli train under SIGKILL and SIGINT at random moments (issue 14), a checkpoint after
// every step so many kills land inside a save: the newest checkpoint always loads, no temp file
// passes for a checkpoint, --resume <run folder> goes on from it, at most the step in flight is
// lost, and the loss log holds each step once. SIGINT ends with exit 130, a checkpoint and a
// clean end mark.
//   DIFFSCOPE_DURABILITY_KILLS (default 30), DIFFSCOPE_DURABILITY_SEED (default: the clock).
#include "cli_test_case.h"
#include "core/io/checkpoint.h"
#include "core/training/checkpoint_rotation.h"
#include "core/training/run_folder.h"
#include "tests/support/test_registry.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;

namespace {

QString cliPath() { return qEnvironmentVariable("DIFFSCOPE_CLI", "diffscope-cli"); }

int64_t stepOfName(const std::string& path)
{
    const auto name = fs::path(path).filename().string(); // step_00001234.dsckpt
    return std::stoll(name.substr(5, name.size() - 5 - 7));
}

int64_t newestStep(const std::string& dir)
{
    const auto steps = ds::stepCheckpoints(dir);
    return steps.empty() ? 0 : stepOfName(steps.back());
}

std::vector<std::string> tempFiles(const std::string& dir)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename().string().find(".tmp-") != std::string::npos)
            out.push_back(e.path().filename().string());
    return out;
}

void sleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Polls `ready` every half millisecond, for up to `timeoutMs`.
template <class Ready>
bool waitFor(Ready&& ready, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!ready()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return true;
}

} // namespace

class CliDurabilityTest : public ds::test::CliTestCase {
    Q_OBJECT
    std::string run_;
    QRandomGenerator random_;

    QString p(const QString& name) const { return dir_.filePath(name); }

    // A tiny MLP on two moons, a checkpoint after every step, far more steps than it will take.
    QString writeConfig(const QString& name)
    {
        const nlohmann::json config{{"name", name.toStdString()},
                                    {"dataset", "two-moons"},
                                    {"dataset_limit", 256},
                                    {"network", {{"kind", "mlp"}, {"hidden", 8}, {"layers", 1}, {"time_dim", 4}}},
                                    {"schedule", {{"kind", "linear"}, {"T", 50}}},
                                    {"steps", 100000000},
                                    {"batch", 16},
                                    {"warmup", 10},
                                    {"checkpoint_every", 1},
                                    {"keep_checkpoints", 3},
                                    {"preview_every", 0},
                                    {"output_dir", p("runs").toStdString()}};
        const auto path = p(name + ".json");
        std::ofstream(path.toStdString()) << config.dump();
        return path;
    }

    void start(QProcess& proc, const QStringList& args, const QString& log)
    {
        proc.setStandardOutputFile(QProcess::nullDevice());
        proc.setStandardErrorFile(log, QIODevice::Append);
        proc.start(cliPath(), args);
        QVERIFY(proc.waitForStarted());
    }

    // Waits for a checkpoint newer than `after`; then, for `midSave`, for a save's temp file, else
    // for a random 0–25 ms. Returns the newest step visible just before the signal goes.
    int64_t waitForMoment(int64_t after, bool midSave, bool& sawTemp)
    {
        sawTemp = false;
        if (!waitFor([&] { return newestStep(run_) > after; }, 60000))
            return -1;
        if (midSave)
            sawTemp = waitFor([&] { return !tempFiles(run_).empty(); }, 3000);
        else
            sleepMs(int(random_.bounded(26)));
        return newestStep(run_);
    }

    // Every checkpoint in the folder loads in full. Returns the newest step file's step, or -1;
    // `latestStep` gets latest.dsckpt's (a kill between a save's rename and the link update
    // leaves it one step behind).
    int64_t checkAllLoad(int64_t& latestStep)
    {
        int64_t newest = -1;
        latestStep = -1;
        for (const auto& path : ds::stepCheckpoints(run_)) {
            try {
                const auto c = ds::loadCheckpoint(path);
                if (!c.header.trainingState || c.header.step != stepOfName(path))
                    return -1;
                newest = c.header.step;
            } catch (const std::exception& e) {
                qWarning("%s", e.what());
                return -1;
            }
        }
        // Only a kill between the first save's rename and its link leaves no latest.dsckpt at all.
        if (!fs::exists(run_ + "/latest.dsckpt") && ds::stepCheckpoints(run_).size() == 1 && newest == 1) {
            latestStep = 0;
            return newest;
        }
        try {
            latestStep = ds::loadCheckpoint(run_ + "/latest.dsckpt").header.step;
        } catch (const std::exception& e) {
            qWarning("%s", e.what());
            return -1;
        }
        return newest;
    }

    // loss.csv holds steps 1..last, each once, in order.
    void checkLossLog(int64_t last)
    {
        std::ifstream in(run_ + "/loss.csv");
        std::string line;
        int64_t expected = 1;
        while (std::getline(in, line)) {
            if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0])))
                continue; // the header
            QVERIFY2(std::count(line.begin(), line.end(), ',') == 2, line.c_str());
            QCOMPARE(std::stoll(line), expected);
            ++expected;
        }
        QCOMPARE(expected - 1, last);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const auto seed = quint32(qEnvironmentVariableIntValue("DIFFSCOPE_DURABILITY_SEED")
                                      ? qEnvironmentVariableIntValue("DIFFSCOPE_DURABILITY_SEED")
                                      : std::chrono::steady_clock::now().time_since_epoch().count());
        random_.seed(seed);
        qInfo("seed %u (DIFFSCOPE_DURABILITY_SEED repeats the delays)", seed);
    }

    void killNineAtRandomMoments()
    {
        const int kills = qEnvironmentVariableIntValue("DIFFSCOPE_DURABILITY_KILLS") > 0
                              ? qEnvironmentVariableIntValue("DIFFSCOPE_DURABILITY_KILLS")
                              : 30;
        run_ = p("runs/k9").toStdString();
        const auto config = writeConfig("k9");
        const auto log = p("k9.log");
        int64_t latest = 0;
        int midSaveKills = 0, tempsLeft = 0;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < kills; ++i) {
            QProcess proc;
            start(proc, i == 0 ? QStringList{"train", "--config", config, "--quiet"}
                               : QStringList{"train", "--resume", QString::fromStdString(run_), "--quiet"},
                  log);
            bool sawTemp = false;
            const auto seen = waitForMoment(latest, i % 3 == 2, sawTemp);
            ::kill(pid_t(proc.processId()), SIGKILL);
            QVERIFY(proc.waitForFinished(30000));
            QVERIFY2(seen > latest, qPrintable(QString("kill %1: no new checkpoint; log: %2").arg(i).arg(log)));
            QCOMPARE(proc.exitStatus(), QProcess::CrashExit);
            midSaveKills += sawTemp;
            tempsLeft += !tempFiles(run_).empty();
            int64_t linked = 0;
            const auto loaded = checkAllLoad(linked);
            QVERIFY2(loaded >= 0, qPrintable(QString("kill %1: a checkpoint does not load").arg(i)));
            // It had finished `seen` steps' saves; the step in flight is all a kill may cost.
            QVERIFY2(loaded >= seen, qPrintable(QString("kill %1: newest is step %2, step %3 was saved").arg(i).arg(loaded).arg(seen)));
            QVERIFY2(linked >= loaded - 1, qPrintable(QString("kill %1: latest.dsckpt is step %2 of %3").arg(i).arg(linked).arg(loaded)));
            latest = loaded;
        }
        // Resume goes on to the end; the temp files of the killed saves are cleared at its start.
        auto finish = runFinal(latest + 3);
        QVERIFY2(finish.first == 0, qPrintable(finish.second));
        QVERIFY(tempFiles(run_).empty());
        int64_t linked = 0;
        QCOMPARE(checkAllLoad(linked), latest + 3);
        QCOMPARE(linked, latest + 3);
        checkLossLog(latest + 3);
        QVERIFY(ds::runEndedCleanly(run_));
        qInfo("%d SIGKILLs in %lld ms: %d aimed at a save in progress, %d left a temp file; last step %lld", kills,
              static_cast<long long>(clock.elapsed()), midSaveKills, tempsLeft, static_cast<long long>(latest));
        QVERIFY2(midSaveKills > 0, "no kill landed during a save");
    }

    void sigintSavesAndExits130()
    {
        run_ = p("runs/int").toStdString();
        const auto config = writeConfig("int");
        const auto log = p("int.log");
        int64_t latest = 0;
        for (int i = 0; i < 6; ++i) {
            QProcess proc;
            start(proc, i == 0 ? QStringList{"train", "--config", config, "--quiet"}
                               : QStringList{"train", "--resume", QString::fromStdString(run_ + "/latest.dsckpt"), "--quiet"},
                  log);
            bool sawTemp = false;
            const auto seen = waitForMoment(latest, i % 2 == 1, sawTemp);
            QVERIFY2(seen > latest, qPrintable("no new checkpoint; log: " + log));
            ::kill(pid_t(proc.processId()), SIGINT);
            QVERIFY(proc.waitForFinished(30000));
            QCOMPARE(proc.exitStatus(), QProcess::NormalExit);
            QCOMPARE(proc.exitCode(), 130);
            QVERIFY(ds::runEndedCleanly(run_));
            std::ifstream in(ds::endMarkPath(run_));
            const auto mark = nlohmann::json::parse(in);
            QCOMPARE(mark.at("status").get<std::string>(), std::string("cancelled"));
            const auto step = mark.at("step").get<int64_t>();
            QVERIFY2(step >= seen, qPrintable(QString("cancelled at %1, step %2 was saved").arg(step).arg(seen)));
            int64_t linked = 0;
            QCOMPARE(checkAllLoad(linked), step); // the cancel saved the step it stopped at
            QCOMPARE(linked, step);
            QVERIFY(fs::exists(mark.at("checkpoint").get<std::string>()));
            QVERIFY(tempFiles(run_).empty());
            QVERIFY(!fs::exists(run_ + "/.lock"));
            latest = step;
        }
        checkLossLog(latest);
    }

private:
    std::pair<int, QString> runFinal(int64_t steps)
    {
        QProcess proc;
        proc.start(cliPath(), {"train", "--resume", QString::fromStdString(run_), "--steps",
                               QString::number(steps)});
        proc.waitForFinished(60000);
        return {proc.exitStatus() == QProcess::NormalExit ? proc.exitCode() : -1, QString::fromUtf8(proc.readAllStandardError())};
    }
};

DS_TEST_SUITE(CliDurabilityTest, "cli_durability");
#include "test_cli_durability.moc"
