// widgets/training/training_scrubber over scrubber_columns, on a tiny two-moons run trained in the
// test with a checkpoint every 10 steps: one column per checkpoint in step order, every column
// starting from the same x_T, one metric point per checkpoint, scrubbing both axes, new
// checkpoints sampled alone on a rescan, cancel, and a bad folder.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "tests/support/toy_training.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/training/training_panel.h"
#include "widgets/training/training_scrubber.h"

#include "core/training/training_job.h"

#include <ATen/ATen.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace ds;

namespace {

bool settle(TrainingScrubber& s) { return QTest::qWaitFor([&] { return !s.busy(); }, 120000); }

// Trains `steps` steps of the tiny toy with a checkpoint every 10 (all kept); returns the run folder.
QString trainRun(const QTemporaryDir& dir, const std::string& name, int64_t steps)
{
    auto c = test::tinyToyRun(dir.path().toStdString(), name, steps);
    c.checkpointEvery = 10;
    c.keepCheckpoints = 100;
    TrainingJob job(c);
    const auto outcome = job.run();
    if (outcome.status != TrainingStatus::Finished)
        qWarning("training failed: %s", outcome.message.c_str());
    return QString::fromStdString(c.runDir());
}

} // namespace

class TrainingScrubberTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString run_;

private Q_SLOTS:
    void initTestCase() { run_ = trainRun(dir_, "scrub", 40); }

    void oneColumnPerCheckpointFromOneStart()
    {
        TrainingScrubber scrubber;
        scrubber.setSettings({16, 8});
        scrubber.setRunFolder(run_);
        scrubber.show();
        QVERIFY(settle(scrubber));
        const auto& cols = scrubber.columns();
        QCOMPARE(cols.size(), size_t(4));
        for (size_t i = 0; i < cols.size(); ++i) {
            QVERIFY2(cols[i].error.isEmpty(), qPrintable(cols[i].error));
            QCOMPARE(cols[i].step, int64_t(10 * (i + 1))); // step order
            QCOMPARE(cols[i].frames.sizes(), (at::IntArrayRef{9, 16, 2, 1, 1})); // x_T + 8 DDIM states
            QCOMPARE(cols[i].t.front(), int64_t(50));
            QCOMPARE(cols[i].t.back(), int64_t(0));
            QVERIFY(at::equal(cols[i].frames[0], cols[0].frames[0])); // the same x_T
            QCOMPARE(cols[i].cells.size(), size_t(9));
        }
        QVERIFY(!at::equal(cols[0].frames[-1], cols[3].frames[-1])); // training changed the samples

        QVERIFY(scrubber.metricName().contains("MMD"));
        const auto& series = scrubber.metricPlot().series();
        QCOMPARE(series.size(), 1);
        QCOMPARE(series[0].points.size(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(series[0].points[i].x(), double(cols[size_t(i)].step));
            QCOMPARE(series[0].points[i].y(), cols[size_t(i)].metric);
        }

        const auto grid = scrubber.gridImage();
        QCOMPARE(scrubber.gridRows(), (std::vector<int>{0, 2, 3, 5, 6, 8}));
        QCOMPARE(scrubber.cellAt({64 + 3 * 88 + 10, 18 + 5 * 88 + 10}), std::make_pair(3, 5));
        QCOMPARE(scrubber.cellAt({5, 5}), std::make_pair(-1, -1));
        QCOMPARE(grid.size(), QSize(64 + 4 * 88, 18 + 6 * 88));
        QCOMPARE(cols[0].cells[0].size(), QSize(84, 84));

        scrubber.setCheckpointIndex(2);
        scrubber.setStepIndex(8);
        QCOMPARE(scrubber.currentImage(), cols[2].grids[8]);
        scrubber.setStepIndex(0);
        QCOMPARE(scrubber.currentImage(), cols[2].grids[0]);
    }

    // A training that goes on writes more checkpoints; a rescan samples only those.
    void rescanSamplesOnlyNewCheckpoints()
    {
        QTemporaryDir dir;
        const auto run = trainRun(dir, "growing", 20);
        TrainingScrubber scrubber;
        scrubber.setSettings({8, 4});
        scrubber.setRunFolder(run);
        QVERIFY(settle(scrubber));
        QCOMPARE(scrubber.columns().size(), size_t(2));
        const auto first = scrubber.columns()[0].frames;
        auto job = TrainingJob::resume((run + "/step_00000020.dsckpt").toStdString(), 40);
        QCOMPARE(job.run().status, TrainingStatus::Finished);
        QSignalSpy added(&scrubber, &TrainingScrubber::columnAdded);
        scrubber.rescan();
        QVERIFY(settle(scrubber));
        QCOMPARE(added.count(), 2);
        QCOMPARE(scrubber.columns().size(), size_t(4));
        QVERIFY(scrubber.columns()[0].frames.is_same(first)); // cached, not resampled
        QCOMPARE(scrubber.columns()[3].step, int64_t(40));
    }

    void cancelStopsTheScan()
    {
        TrainingScrubber scrubber;
        scrubber.setSettings({16, 200});
        scrubber.setRunFolder(run_);
        scrubber.cancel();
        QVERIFY(settle(scrubber));
        QVERIFY(scrubber.columns().size() < 4);
        QVERIFY2(scrubber.status().contains("cancelled"), qPrintable(scrubber.status()));
        scrubber.rescan(); // picks up where it stopped
        QVERIFY(settle(scrubber));
        QCOMPARE(scrubber.columns().size(), size_t(4));
    }

    void badFolderIsReported()
    {
        TrainingScrubber scrubber;
        QSignalSpy failed(&scrubber, &TrainingScrubber::failed);
        scrubber.setRunFolder(dir_.filePath("no-such-run"));
        QVERIFY(settle(scrubber));
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains("not a folder"), qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(scrubber.columns().empty());
    }

    void trainingPanelHoldsTheScrubber()
    {
        TrainingPanel panel;
        auto& scrubber = panel.scrubber();
        QCOMPARE(&scrubber, &panel.scrubber());
        QVERIFY(scrubber.runFolder().isEmpty());
    }
};

DS_TEST_SUITE(TrainingScrubberTest, "training_scrubber");
#include "test_training_scrubber.moc"
