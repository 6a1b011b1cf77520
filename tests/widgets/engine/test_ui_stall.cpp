// How long the UI thread stalls (issue 14) while the app does its heavy things at once: a DDPM
// run of 1000 steps on a demo model, a short training job, a model load on a second engine and
// a GIF export. A 5 ms timer measures the gaps between its ticks; the longest gap is printed
// (docs/benchmarks.md records it) and held to a bound generous enough for a loaded 2-core CI
// box (500 ms; the aim is 100 ms). Each job is checked to have done its work, so the figure is
// not measured over idle time.
#include "tests/widgets/widget_test_support.h"

#include "main_window.h"

#include "tests/support/test_registry.h"
#include "tests/support/toy_training.h"
#include "widgets/common/sampler_settings.h"
#include "widgets/engine/export_service.h"
#include "widgets/engine/training_service.h"
#include "widgets/training/training_panel.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/io/resource_paths.h"

#include <ATen/ATen.h>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace ds;
using namespace ds::test;

namespace {

// Ticks every 5 ms on the UI thread; the longest gap between ticks is the longest stall.
class StallMeter : public QObject {
public:
    StallMeter()
    {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(5);
        QObject::connect(&timer_, &QTimer::timeout, this, [this] {
            const auto now = clock_.nsecsElapsed();
            longestNs_ = std::max(longestNs_, now - lastNs_);
            lastNs_ = now;
            ++ticks_;
        });
    }
    void start()
    {
        clock_.start();
        lastNs_ = 0;
        timer_.start();
    }
    void stop() { timer_.stop(); }
    double longestMs() const { return double(longestNs_) / 1e6; }
    qint64 ticks() const { return ticks_; }
    double seconds() const { return double(clock_.nsecsElapsed()) / 1e9; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 lastNs_ = 0, longestNs_ = 0, ticks_ = 0;
};

QString demo(const char* name) { return QString::fromStdString(resourcePath(std::string("demo/") + name)); }

} // namespace

class UiStallTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void longestStallWhileEverythingRuns()
    {
        QTemporaryDir dir;
        StartOptions options;
        options.model = demo("two_moons.dsckpt");
        options.restoreSettings = false;
        MainWindow window(options);
        window.show();
        auto& view = window.trajectoryView();
        QVERIFY(QTest::qWaitFor([&] { return window.model().hasModel() && !view.runner().running(); }, 60000));
        Engine second; // a model load beside the run, as a comparison pane's own model does

        StallMeter meter;
        meter.start();
        // 1. DDPM, 1000 steps, on the demo.
        QSignalSpy runDone(&view.runner(), &TrajectoryRunner::finished);
        QSignalSpy runFailed(&view.runner(), &TrajectoryRunner::failed);
        QVERIFY(view.runner().runReverse(SamplerSettings::of("ddpm", 1000), 512, 1));
        // 2. A short training job.
        auto& training = window.trainingPanel().service();
        QString error;
        const int job = training.start(tinyToyRun(dir.path().toStdString(), "stall", 300), &error);
        QVERIFY2(job >= 0, qPrintable(error));
        // 3. A model load: the Fashion-MNIST DDPM demo (4.5 MB, checked in full as it loads).
        QSignalSpy opened(&second.model, &ModelSession::opened);
        QSignalSpy openFailed(&second.model, &ModelSession::openFailed);
        second.model.open(demo("fashion_mnist_ddpm.dsckpt"));
        // 4. A GIF export of 120 frames of 128×128 noise.
        FrameSequence frames;
        frames.count = 120;
        frames.frame = [](int64_t) { return at::randint(0, 256, {128, 128, 3}, at::kByte); };
        QSignalSpy exported(&window.exportService(), &ExportService::finished);
        QSignalSpy exportFailed(&window.exportService(), &ExportService::failed);
        QVERIFY(window.exportService().start("stall.gif", animationTask(dir.filePath("stall.gif"), frames, {})));

        const auto trainingDone = [&] {
            const auto state = training.job(job).state;
            return state == JobState::Finished || state == JobState::Failed || state == JobState::Cancelled;
        };
        const auto ended = [](const QSignalSpy& done, const QSignalSpy& failed) { return !done.isEmpty() || !failed.isEmpty(); };
        QVERIFY(QTest::qWaitFor([&] { return ended(runDone, runFailed) && trainingDone() && ended(opened, openFailed)
                                             && ended(exported, exportFailed); },
                                240000));
        meter.stop();
        QVERIFY2(runFailed.isEmpty() && openFailed.isEmpty() && exportFailed.isEmpty(), "a job failed");

        QCOMPARE(int(training.job(job).state), int(JobState::Finished));
        QVERIFY(view.document().frameCount() > 100);
        QVERIFY(QFile(dir.filePath("stall.gif")).size() > 100000);
        qInfo("longest UI stall %.1f ms over %.1f s (%lld ticks of 5 ms) during DDPM-1000, training, a model load "
              "and a GIF export",
              meter.longestMs(), meter.seconds(), static_cast<long long>(meter.ticks()));
        QVERIFY2(meter.longestMs() <= 500, qPrintable(QString("the UI thread stalled %1 ms").arg(meter.longestMs())));
    }
};

DS_TEST_SUITE(UiStallTest, "ui_stall");
#include "test_ui_stall.moc"
