// widgets/trajectory_view (with its document, renderer, canvas, timeline, runner): scrubbing
// by keys and slider, playback, frame kinds, crisp zoom, the pixel inspector, streaming a
// reverse run and cancelling one; a model's own defaults and samplers on opening it, failed
// runs that keep the frames shown, Picard's iterates streamed and cancelled mid-solve, the ETA,
// and long messages that elide.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/image_canvas.h"
#include "widgets/engine/job_progress.h"
#include "widgets/common/sampler_settings_editor.h"
#include "widgets/trajectory/pixel_inspector.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include <QSignalSpy>
#include <QTest>

using namespace ds;
using namespace ds::test;

namespace {

SamplerSettings settingsFor(const QString& sampler, int steps) { return SamplerSettings::of(sampler, steps); }

// Two moons under truncated betas: ᾱ_T ≈ 0.9, so x_T is far from N(0, I) (priorNote).
const QString kTruncatedToy = QStringLiteral("oracle:two-moons?n=300&T=100&beta_end=0.002");
const QString kPixelAwareOracle = QStringLiteral("oracle:fashion-mnist?n=200&schedule=pixel-aware");

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

    void openingAModelPicksItsDefaults()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.controls().setSamplerSettings(settingsFor("ddpm", 1000)); // what the last model used
        QVERIFY(engine.open(kGaussianOracle));
        auto s = view.controls().samplerSettings();
        QCOMPARE(s.sampler, QStringLiteral("ddim")); // few steps, not DDPM-1000
        QCOMPARE(s.options.steps, int64_t(50));
        QCOMPARE(s.start, QStringLiteral("noise"));
        QVERIFY(view.samplerNote().isEmpty());
        // x_T is not N(0, I) under truncated betas: start from data, and say why.
        QVERIFY(engine.open(kTruncatedToy));
        s = view.controls().samplerSettings();
        QCOMPARE(s.start, QStringLiteral("data"));
        QVERIFY2(view.samplerNote().contains("starting from data") && view.samplerNote().contains("N(0, I)"),
                 qPrintable(view.samplerNote()));
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 30000);
        QCOMPARE(view.document().frameCount(), int(s.options.steps) + 1);
    }

    void pixelAwareModelsGetTheirSamplerOnly()
    {
        if (!fashionMnistInstalled())
            QSKIP("Fashion-MNIST not installed");
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        QVERIFY(engine.open(kPixelAwareOracle));
        QCOMPARE(view.controls().samplerEditor().samplers(), QStringList{"pixel-aware"});
        const auto s = view.controls().samplerSettings();
        QCOMPARE(s.sampler, QStringLiteral("pixel-aware"));
        QCOMPARE(s.start, QStringLiteral("data")); // per-pixel x_T keeps signal: noise would show noise
        QVERIFY2(view.samplerNote().contains("per-pixel"), qPrintable(view.samplerNote()));
    }

    void aFailedRunKeepsTheFramesShown()
    {
        Engine engine;
        QVERIFY(engine.open(kGaussianOracle));
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.show();
        view.controls().setSamplerSettings(settingsFor("ddim", 5));
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running() && view.document().frameCount() == 6, 30000);
        QSignalSpy failed(&view.runner(), &TrajectoryRunner::failed);
        // A sampler the model cannot use (a stale setting): refused in the GUI's words.
        QVERIFY(!view.runner().runReverse(settingsFor("dnm", 5), 4, 0));
        QCOMPARE(failed.count(), 1);
        const auto message = failed.at(0).at(0).toString();
        QVERIFY2(message.contains("choose") && !message.contains("--"), qPrintable(message));
        QCOMPARE(view.document().frameCount(), 6); // the last trajectory stays on screen
        QVERIFY(view.progress().message().startsWith("failed:"));
        // A run that fails on the engine (a data start without a data set) keeps them too.
        auto fromData = settingsFor("ddim", 5);
        fromData.start = "data";
        view.controls().setSamplerSettings(fromData);
        view.run();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 30000);
        QCOMPARE(view.document().frameCount(), 6);
        QVERIFY(!view.runner().running());
    }

    void picardStreamsItsIterates()
    {
        Engine engine;
        QVERIFY(engine.open(kGaussianOracle));
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.show();
        auto s = settingsFor("picard-ddim", 60);
        s.options.window = 6;
        s.options.tolerance = 1e-4;
        view.controls().setSamplerSettings(s);
        view.controls().setBatch(4);
        QSignalSpy details(&view.runner(), &TrajectoryRunner::solveDetail);
        QSignalSpy replaced(&view.document(), &TrajectoryDocument::framesReplaced);
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 30000);
        QVERIFY2(details.count() >= 10, qPrintable(QString::number(details.count()))); // window 6 of 60: ≥ 10 rounds
        const auto first = details.first().at(0).toString();
        QVERIFY2(first.startsWith("round 1") && first.contains("window [0, 6)") && first.contains("max residual"),
                 qPrintable(first));
        QVERIFY2(details.last().at(0).toString().contains("60/60 accepted"), qPrintable(details.last().at(0).toString()));
        QVERIFY(replaced.count() >= 1); // the view showed iterates while the solve ran
        QCOMPARE(view.document().frameCount(), 61); // then the solved chain, one frame per step
        QCOMPARE(view.document().t(60), int64_t(0));
        QVERIFY(view.document().hasX0(30));
        QVERIFY(!view.runner().lastSummary().cancelled);
    }

    void cancelStopsPicardMidSolve()
    {
        if (!fashionMnistInstalled())
            QSKIP("Fashion-MNIST not installed");
        Engine engine;
        QVERIFY(engine.open(QStringLiteral("oracle:fashion-mnist?n=2000")));
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.show();
        auto s = settingsFor("picard-ddpm", 1000);
        s.options.window = 16;
        view.controls().setSamplerSettings(s);
        view.controls().setBatch(16);
        int rounds = 0;
        connect(&view.runner(), &TrajectoryRunner::solveDetail, &view, [&] {
            if (++rounds == 2)
                Q_EMIT view.progress().cancelRequested(); // the Cancel button, during the solve
        });
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 60000);
        QVERIFY(view.runner().lastSummary().cancelled);
        QCOMPARE(view.runner().lastSummary().completedSteps, int64_t(0)); // stopped inside the solve
        QVERIFY2(rounds < 60, qPrintable(QString::number(rounds)));       // 1000 steps by 16: ≥ 63 rounds to finish
        QVERIFY2(view.progress().message().contains("cancelled"), qPrintable(view.progress().message()));
        QVERIFY(view.document().frameCount() >= 1); // x_T and the last iterate stay
    }

    void progressShowsAnEtaFromTheFirstSteps()
    {
        JobProgress progress;
        qint64 now = 0;
        progress.setClock([&] { return now; });
        progress.start("sampling", 100);
        now = 5000; // start-up (x_T, a data start) does not count
        progress.setProgress(1, 100);
        QVERIFY(!progress.barText().contains("ETA"));
        now = 6000; // 10 steps a second since the first report: 89 steps left
        progress.setProgress(11, 100);
        QVERIFY2(progress.barText().contains("ETA 9 s"), qPrintable(progress.barText()));
        now = 6000 + 60000;
        progress.setProgress(12, 100); // slowed right down: 1 step per 61 s → 88 × 61/11 s
        QVERIFY2(progress.barText().contains("ETA 8:"), qPrintable(progress.barText()));
        QCOMPARE(etaText(3725), QStringLiteral("1:02:05"));
        progress.finish("done");
        QVERIFY(progress.barText().isEmpty());
    }

    void longFailuresElide()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const int minimum = view.minimumSizeHint().width();
        const QString message(2000, QLatin1Char('x'));
        Q_EMIT view.runner().failed(message);
        QVERIFY(view.progress().message().endsWith(message)); // the whole text is kept (tooltip)…
        QTest::qWait(50);
        QCOMPARE(view.minimumSizeHint().width(), minimum); // … but it never sets the minimum width
        QCOMPARE(view.width(), 900);
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
