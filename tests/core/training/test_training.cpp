// The training engine on a 2D toy: the loss falls, a resumed run continues the same loss curve,
// NaN stops the job and keeps the last good checkpoint, cancel is prompt, the log is written,
// and the learning-rate schedule has its closed form.
#include "core/io/checkpoint.h"
#include "core/training/checkpoint_rotation.h"
#include "core/training/learning_rate.h"
#include "core/training/training_job.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"
#include "tests/support/toy_training.h"

#include <QDir>
#include <QTemporaryDir>
#include <torch/optim/adamw.h>
#include <torch/serialize/input-archive.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <numbers>
#include <thread>

using namespace ds;

namespace {

// Wider than the shared tiny run, so 300 steps visibly lower the loss.
TrainingConfig toyConfig(const QTemporaryDir& dir, const std::string& name, int64_t steps)
{
    TrainingConfig c = test::tinyToyRun(dir.path().toStdString(), name, steps);
    c.batch = 64;
    c.datasetLimit = 2000;
    c.network = {{"kind", "mlp"}, {"hidden", 32}, {"layers", 2}, {"time_dim", 16}};
    c.schedule = ScheduleSpec::linear(100);
    c.warmup = 5;
    return c;
}

std::vector<double> losses(TrainingJob& job, TrainingOutcome* outcome = nullptr)
{
    std::vector<double> out;
    TrainingCallbacks callbacks;
    callbacks.progress = [&](const TrainingProgress& p) { out.push_back(p.loss); };
    auto result = job.run(callbacks);
    if (outcome)
        *outcome = result;
    return out;
}

double mean(const std::vector<double>& v, size_t from, size_t to)
{
    double sum = 0;
    for (size_t i = from; i < to; ++i)
        sum += v[i];
    return sum / double(to - from);
}

} // namespace

class TrainingTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void lossFallsOnAToy()
    {
        TrainingJob job(toyConfig(dir_, "falls", 300));
        TrainingOutcome outcome;
        auto l = losses(job, &outcome);
        QCOMPARE(int(outcome.status), int(TrainingStatus::Finished));
        QCOMPARE(l.size(), size_t(300));
        // ε-prediction starts at E‖ε‖²/D = 1 and must fall well below it.
        QVERIFY2(mean(l, 250, 300) < 0.9 * mean(l, 0, 50), qPrintable(QString("%1 -> %2").arg(mean(l, 0, 50)).arg(mean(l, 250, 300))));
        QVERIFY(!outcome.checkpoint.empty());
        QCOMPARE(loadCheckpoint(outcome.checkpoint).header.step, 300);
        // The log has a header and one line per step.
        std::ifstream log(dir_.filePath("falls/loss.csv").toStdString());
        int lines = 0;
        for (std::string line; std::getline(log, line);)
            ++lines;
        QCOMPARE(lines, 301);
    }

    void resumedRunContinuesTheSameLossCurve()
    {
        auto config = toyConfig(dir_, "whole", 40);
        TrainingJob whole(config);
        auto reference = losses(whole);
        // The same run, stopped after step 20 (a cancel saves a checkpoint), then resumed.
        config.name = "halves";
        TrainingJob first(config);
        StopToken stop;
        auto stopped = first.run({[&](const TrainingProgress& p) { if (p.step == 20) stop.requestStop(); }, {}, {}, {}}, stop);
        QCOMPARE(int(stopped.status), int(TrainingStatus::Cancelled));
        auto second = TrainingJob::resume(stopped.checkpoint);
        QCOMPARE(second.step(), 20);
        auto rest = losses(second);
        QCOMPARE(rest.size(), size_t(20));
        for (size_t i = 0; i < 20; ++i)
            QVERIFY2(rest[i] == reference[20 + i], qPrintable(QString("step %1: %2 vs %3").arg(21 + i).arg(rest[i]).arg(reference[20 + i])));
    }

    // A resume keeps the rows up to its checkpoint and drops what a kill tore or a stranger wrote
    // (a torn row, a step number past int64, rows after the checkpoint); the rewrite goes
    // through a temp file, so none is left behind.
    void resumeRewritesTheLossLogKeepingOnlyWellFormedRows()
    {
        auto config = toyConfig(dir_, "torn", 10);
        TrainingJob first(config);
        StopToken stop;
        auto stopped = first.run({[&](const TrainingProgress& p) { if (p.step == 4) stop.requestStop(); }, {}, {}, {}}, stop);
        QCOMPARE(int(stopped.status), int(TrainingStatus::Cancelled));
        const auto path = dir_.filePath("torn/loss.csv").toStdString();
        std::vector<std::string> rows;
        {
            std::ifstream in(path);
            for (std::string line; std::getline(in, line);)
                rows.push_back(line);
        }
        QCOMPARE(rows.size(), size_t(5)); // header + steps 1..4
        std::ofstream(path, std::ios::app) << "3,0.5\n99999999999999999999999,1,1\n7,0.1,0.001\nstep,loss\n";
        auto second = TrainingJob::resume(stopped.checkpoint);
        QCOMPARE(losses(second).size(), size_t(6));
        std::vector<std::string> after;
        {
            std::ifstream in(path);
            for (std::string line; std::getline(in, line);)
                after.push_back(line);
        }
        QCOMPARE(after.size(), size_t(11)); // header + steps 1..10, each once
        for (size_t i = 0; i < rows.size(); ++i)
            QCOMPARE(after[i], rows[i]);
        for (int step = 1; step <= 10; ++step)
            QVERIFY2(after[step].rfind(std::to_string(step) + ",", 0) == 0, after[step].c_str());
        QCOMPARE(QDir(dir_.filePath("torn")).entryList({"*.tmp-*"}, QDir::Files | QDir::Hidden), QStringList());
    }

    void nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint()
    {
        // Train a little, then plant a huge (finite) weight in the live network of the
        // checkpoint: the next forward pass overflows, the loss is not finite.
        auto config = toyConfig(dir_, "nan", 4);
        TrainingJob good(config);
        auto outcome = good.run();
        auto checkpoint = loadCheckpoint(outcome.checkpoint);
        {
            torch::NoGradGuard noGrad;
            checkpoint.weights->parameters()[0].fill_(3e38);
        }
        const auto poisoned = config.runDir() + "/poisoned.dsckpt";
        torch::optim::AdamW optimizer(checkpoint.weights->parameters());
        optimizer.load(*checkpoint.optimizer);
        saveCheckpoint(poisoned, checkpoint.header,
                       {checkpoint.ema.get(), checkpoint.weights.get(), &optimizer, checkpoint.rngState});
        const auto before = stepCheckpoints(config.runDir());

        auto job = TrainingJob::resume(poisoned, 10);
        std::vector<double> l;
        auto failed = job.run({[&](const TrainingProgress& p) { l.push_back(p.loss); }, {}, {}, {}});
        QCOMPARE(int(failed.status), int(TrainingStatus::Failed));
        QVERIFY2(failed.message.find("loss became") != std::string::npos && failed.message.find("at step 5") != std::string::npos,
                 failed.message.c_str());
        QVERIFY2(failed.message.find("the last good checkpoint is " + poisoned) != std::string::npos, failed.message.c_str());
        QVERIFY(l.empty());                                  // the bad step was not reported as progress
        QCOMPARE(stepCheckpoints(config.runDir()), before);  // and nothing was saved over the good files
        QCOMPARE(loadCheckpoint(failed.checkpoint).header.step, 4);
    }

    void cancelReturnsPromptly()
    {
        TrainingJob job(toyConfig(dir_, "cancel", 1000000));
        StopToken stop;
        TrainingOutcome outcome;
        std::thread worker([&] { outcome = job.run({}, stop); });
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const auto asked = std::chrono::steady_clock::now();
        stop.requestStop();
        worker.join();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
        qInfo("cancel returned after %.3f s at step %lld", seconds, static_cast<long long>(outcome.step));
        QCOMPARE(int(outcome.status), int(TrainingStatus::Cancelled));
        QVERIFY2(seconds < 1.0, qPrintable(QString::number(seconds)));
        QVERIFY(outcome.step > 0);
        QCOMPARE(loadCheckpoint(outcome.checkpoint).header.step, outcome.step); // cancel saves
    }

    void aFreshRunDoesNotReuseAnEarlierRunsFolder()
    {
        auto config = toyConfig(dir_, "twice", 5);
        TrainingJob first(config);
        QCOMPARE(int(first.run().status), int(TrainingStatus::Finished));
        TrainingJob second(config);
        auto outcome = second.run();
        QCOMPARE(int(outcome.status), int(TrainingStatus::Failed));
        QVERIFY2(outcome.message.find("already holds checkpoints") != std::string::npos, outcome.message.c_str());
        QCOMPARE(loadCheckpoint(config.runDir() + "/latest.dsckpt").header.step, 5); // untouched
    }

    void missingDataFailsWithAMessage()
    {
        auto config = toyConfig(dir_, "nodata", 10);
        config.dataset = "imagenet";
        TrainingJob job(config);
        auto outcome = job.run();
        QCOMPARE(int(outcome.status), int(TrainingStatus::Failed));
        QVERIFY2(outcome.message.find("unknown data set 'imagenet'") != std::string::npos, outcome.message.c_str());
    }

    void learningRateHasItsClosedForm()
    {
        QCOMPARE(learningRateAt(0, 100, 1.0, 10, 0.1), 0.1);
        QCOMPARE(learningRateAt(9, 100, 1.0, 10, 0.1), 1.0);
        QVERIFY(std::abs(learningRateAt(55, 100, 1.0, 10, 0.1) - (0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * 0.5)))) < 1e-12);
        QVERIFY(std::abs(learningRateAt(100, 100, 1.0, 10, 0.1) - 0.1) < 1e-12);
        QCOMPARE(emaDecayAt(0, 0.999), 0.1);
        QCOMPARE(emaDecayAt(100000, 0.999), 0.999);
    }

    void rotationKeepsTheNewest()
    {
        auto config = toyConfig(dir_, "rotate", 10);
        config.checkpointEvery = 2;
        config.keepCheckpoints = 2;
        TrainingJob job(config);
        job.run();
        auto kept = stepCheckpoints(config.runDir());
        QCOMPARE(kept.size(), size_t(2));
        QVERIFY(QString::fromStdString(kept.back()).endsWith("step_00000010.dsckpt"));
        QCOMPARE(loadCheckpoint(config.runDir() + "/latest.dsckpt").header.step, 10);
    }
};

DS_TEST_SUITE(TrainingTest, "training");
#include "test_training.moc"
