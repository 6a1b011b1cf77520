// widgets/trajectory_view (with its document, renderer, canvas, timeline, runner): scrubbing
// by keys and slider, playback, frame kinds, crisp zoom, the pixel inspector, streaming a
// reverse run, and cancelling one.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/image_canvas.h"
#include "widgets/engine/job_progress.h"
#include "widgets/trajectory/pixel_inspector.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include <QSignalSpy>
#include <QTest>

using namespace ds;
using namespace ds::test;

namespace {

SamplerSettings settingsFor(const QString& sampler, int steps)
{
    SamplerSettings s;
    s.sampler = sampler;
    s.steps = steps;
    return s;
}

} // namespace

class TrajectoryViewTest : public QObject {
    Q_OBJECT

    // A view showing a synthetic forward trajectory of 4 gray 8×8 images, T = 50.
    struct Fixture {
        Engine engine;
        TrajectoryView view{engine.model};
        explicit Fixture(int64_t T = 50)
        {
            view.setAutoRun(false);
            auto s = forwardTrajectoryOf(4, 1, 8, T);
            view.document().setTrajectory(s.trajectory, s.meta);
            view.resize(900, 700);
            view.show();
        }
    };

private Q_SLOTS:
    void showsTheFirstFrameAsAGrid()
    {
        Fixture f;
        QCOMPARE(f.view.timeline().frameCount(), 51);
        QCOMPARE(f.view.currentFrame(), 0);
        // 2 × 2 tiles of 8 pixels with 1-pixel gaps.
        QCOMPARE(f.view.canvas().image().size(), QSize(19, 19));
        QVERIFY(f.view.rendered().note.isEmpty());
    }

    void keysScrubBothWays()
    {
        Fixture f;
        QTest::keyClick(&f.view, Qt::Key_Right);
        QTest::keyClick(&f.view, Qt::Key_Right);
        QCOMPARE(f.view.currentFrame(), 2);
        QTest::keyClick(&f.view, Qt::Key_Left);
        QCOMPARE(f.view.currentFrame(), 1);
        QTest::keyClick(&f.view, Qt::Key_End);
        QCOMPARE(f.view.currentFrame(), 50);
        QCOMPARE(f.view.document().t(f.view.currentFrame()), int64_t(50));
        QTest::keyClick(&f.view, Qt::Key_Right); // stays on the last frame
        QCOMPARE(f.view.currentFrame(), 50);
        QTest::keyClick(&f.view, Qt::Key_Home);
        QCOMPARE(f.view.currentFrame(), 0);
        QTest::keyClick(&f.view, Qt::Key_Left);
        QCOMPARE(f.view.currentFrame(), 0);
        f.view.timeline().setFrame(37); // the slider path
        QCOMPARE(f.view.currentFrame(), 37);
    }

    void spacePlaysAndPauses()
    {
        Fixture f;
        f.view.timeline().setFramesPerSecond(100);
        QTest::keyClick(&f.view, Qt::Key_Space);
        QVERIFY(f.view.timeline().playing());
        QTRY_VERIFY_WITH_TIMEOUT(f.view.currentFrame() >= 5, 5000);
        QTest::keyClick(&f.view, Qt::Key_Space);
        QVERIFY(!f.view.timeline().playing());
        const int stopped = f.view.currentFrame();
        QTest::qWait(100);
        QCOMPARE(f.view.currentFrame(), stopped);
        // Playing runs to the end and stops there.
        f.view.timeline().play();
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.timeline().playing(), 5000);
        QCOMPARE(f.view.currentFrame(), 50);
    }

    void frameKindsDrawOrExplain()
    {
        Fixture f;
        f.view.timeline().setFrame(10);
        f.view.controls().setKind(FrameKind::Difference);
        QVERIFY(f.view.rendered().note.isEmpty());
        QVERIFY(!f.view.canvas().image().isNull());
        // Forward frames have no x̂0 until the model answers; there is no model here.
        f.view.controls().setKind(FrameKind::PredictedX0);
        QVERIFY(f.view.rendered().note.contains("computed"));
        f.view.timeline().first(); // t = 0: x̂0 is the data itself, ε̂ is undefined
        QVERIFY(f.view.rendered().note.isEmpty());
        f.view.controls().setKind(FrameKind::PredictedNoise);
        QVERIFY(f.view.rendered().note.contains("t = 0"));
    }

    void zoomKeepsPixelsCrisp()
    {
        Fixture f;
        f.view.canvas().setZoom(8);
        QCOMPARE(f.view.canvas().effectiveZoom(), 8.0);
        const auto shot = f.view.canvas().grab().toImage();
        // Every screen pixel of one image pixel has the image pixel's colour: no smoothing.
        const QPoint centre(f.view.canvas().width() / 2, f.view.canvas().height() / 2);
        const auto pixel = f.view.canvas().imagePixelAt(centre);
        QVERIFY(pixel.x() >= 0);
        const QColor expected = f.view.canvas().image().pixelColor(pixel);
        int checked = 0;
        for (int dy = -12; dy <= 12; ++dy)
            for (int dx = -12; dx <= 12; ++dx) {
                const QPoint p = centre + QPoint(dx, dy);
                if (f.view.canvas().imagePixelAt(p) != pixel)
                    continue;
                QCOMPARE(shot.pixelColor(p * shot.devicePixelRatio()), expected);
                ++checked;
            }
        QVERIFY(checked >= 16);
    }

    void inspectorReadsThePixel()
    {
        Fixture f;
        f.view.timeline().setFrame(25);
        f.view.inspect(1, 3, 4);
        const auto text = f.view.inspector().text();
        QVERIFY2(text.contains("sample 1, x 3, y 4, t 25 / 50"), qPrintable(text));
        const auto r = f.view.document().readout(25, 1, 4, 3);
        QVERIFY(r.valid);
        QCOMPARE(r.value.size(), 1);
        QVERIFY(r.snr.size() == 1 && r.snr[0] > 0);
        QVERIFY(r.alphaBar[0] > 0 && r.alphaBar[0] < 1);
    }

    void reverseRunStreamsFrames()
    {
        Engine engine;
        QVERIFY(engine.open(kGaussianOracle));
        TrajectoryView view(engine.model);
        view.show();
        view.controls().setSamplerSettings(settingsFor("ddim", 20));
        view.controls().setBatch(4);
        QSignalSpy appended(&view.document(), &TrajectoryDocument::framesAppended);
        view.run();
        QVERIFY(view.runner().running());
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 30000);
        QCOMPARE(view.document().frameCount(), 21); // x_T and 20 steps
        QVERIFY(appended.count() >= 2);            // frames arrived one by one
        QCOMPARE(view.document().t(20), int64_t(0));
        QCOMPARE(view.runner().lastSummary().passes, int64_t(20));
        QCOMPARE(view.currentFrame(), 20);          // it followed the stream to the samples
        QVERIFY(view.document().hasX0(10));
        view.controls().setKind(FrameKind::PredictedNoise);
        view.timeline().setFrame(10);
        QVERIFY(view.rendered().note.isEmpty());
    }

    void pointDataShowsAsAScatterPlot()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.show();
        QVERIFY(engine.open("oracle:two-moons?n=300&T=100"));
        QCOMPARE(engine.model.summary().shape, QStringLiteral("2-D points"));
        QCOMPARE(view.controls().batch(), 512); // a cloud needs hundreds of points, not 16
        view.controls().setSamplerSettings(settingsFor("ddim", 10));
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running() && view.document().frameCount() == 11, 30000);
        view.timeline().setFrame(5);
        QCOMPARE(view.canvas().image().size(), QSize(256, 256)); // one plot, not 512 one-pixel tiles
        QCOMPARE(view.rendered().grid.count, 0);                 // no tiles: the inspector stays idle
        QTest::mouseMove(&view.canvas(), view.canvas().rect().center());
        QTest::keyClick(&view, Qt::Key_End);
        QCOMPARE(view.currentFrame(), 10);
    }

    void forwardFramesGetEstimatesFromTheModel()
    {
        Engine engine;
        QVERIFY(engine.open(kGaussianOracle));
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.show();
        view.runner().runReverse(SamplerSettings{}, 4, 0); // samples to diffuse (no data set)
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 30000);
        view.controls().setReverse(false);
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running() && view.document().frameCount() == 101, 30000);
        QCOMPARE(view.document().meta().direction, TrajectoryDirection::Forward);
        view.timeline().setFrame(40);
        view.controls().setKind(FrameKind::PredictedX0);
        QTRY_VERIFY_WITH_TIMEOUT(view.rendered().note.isEmpty(), 10000); // the estimate arrived
        QVERIFY(view.document().hasX0(40));
    }

    void cancelStopsARun()
    {
        Engine engine;
        QVERIFY(engine.open(kGaussianOracle));
        TrajectoryView view(engine.model);
        view.show();
        view.controls().setSamplerSettings(settingsFor("ddpm", 100));
        view.controls().setBatch(64);
        // Keep the engine busy first so the run is still going when we cancel.
        engine.thread.post([] { QThread::msleep(300); });
        view.run();
        QVERIFY(view.progress().active());
        Q_EMIT view.progress().cancelRequested(); // what the Cancel button does
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 30000);
        QVERIFY(view.document().frameCount() < 101);
        QVERIFY2(view.progress().message().contains("cancelled"), qPrintable(view.progress().message()));
        // The view still works: a new run completes.
        view.controls().setSamplerSettings(settingsFor("ddpm", 5));
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 30000);
        QCOMPARE(view.document().frameCount(), 6);
    }

    void cancelMidRun()
    {
        if (!fashionMnistInstalled())
            QSKIP("Fashion-MNIST not installed");
        Engine engine;
        QVERIFY(engine.open(QStringLiteral("oracle:fashion-mnist?n=2000")));
        TrajectoryView view(engine.model);
        view.show();
        view.controls().setSamplerSettings(settingsFor("ddpm", 1000));
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(view.document().frameCount() >= 3, 30000);
        Q_EMIT view.progress().cancelRequested();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 10000);
        QVERIFY(view.runner().lastSummary().cancelled);
        QVERIFY(view.document().frameCount() < 1001);
        QVERIFY2(view.progress().message().contains("cancelled"), qPrintable(view.progress().message()));
    }
};

DS_TEST_SUITE(TrajectoryViewTest, "trajectory_view");
#include "test_trajectory_view.moc"
