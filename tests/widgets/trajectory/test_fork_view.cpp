// widgets/trajectory/fork_view (with widgets/engine/fork_job and parent_replay) through the
// trajectory view: a fork with the parent's own options reproduces the parent exactly (zero
// drift, a stochastic sampler so the noise stream must continue too); a fork with other
// options keeps the parent's frames up to the fork and then drifts; the recording is kept for
// the next fork; forking from the final sample or with no run says why.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/sampler_settings_editor.h"
#include "widgets/trajectory/fork_view.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include <ATen/ATen.h>

#include <QSignalSpy>
#include <QSlider>
#include <QTest>

#include <cmath>

using namespace ds;
using namespace ds::test;

class ForkViewTest : public QObject {
    Q_OBJECT

    // A finished ddpm-20 run of 4 samples on the Gaussian oracle, frame `frame` shown.
    struct Fixture {
        Engine engine;
        std::unique_ptr<TrajectoryView> view;
        bool ready = false;
        explicit Fixture(int frame)
        {
            if (!engine.open(kGaussianOracle))
                return;
            view = std::make_unique<TrajectoryView>(engine.model);
            view->setAutoRun(false);
            view->resize(1200, 800);
            view->show();
            view->controls().setSamplerSettings(SamplerSettings::of("ddpm", 20));
            view->controls().setBatch(4);
            view->controls().setSeed(7);
            view->run();
            if (!QTest::qWaitFor([&] { return !view->runner().running() && view->forkView().hasParent(); }, 30000))
                return;
            view->timeline().setFrame(frame);
            ready = view->currentFrame() == frame;
        }
        ForkView& fork() { return view->forkView(); }
        const Fork* forkAndWait()
        {
            QSignalSpy forked(&fork(), &ForkView::forked);
            if (!fork().fork() || !QTest::qWaitFor([&] { return !forked.isEmpty(); }, 30000))
                return nullptr;
            return fork().result();
        }
    };

    static double maxAbs(const at::Tensor& drift)
    {
        auto finite = drift.masked_select(at::isfinite(drift));
        return finite.numel() ? finite.abs().max().item<double>() : 0.0;
    }

private Q_SLOTS:
    void forkWithTheParentsOwnOptionsHasZeroDrift()
    {
        Fixture f(8);
        QVERIFY(f.ready);
        QCOMPARE(f.fork().forkPoint(), f.view->document().t(8));
        QCOMPARE(f.fork().editor().settings().sampler, QString("ddpm")); // the parent's options by default
        const Fork* fork = f.forkAndWait();
        QVERIFY(fork);
        QCOMPARE(fork->at, int64_t(8));
        QCOMPARE(fork->run.trajectory.size(), int64_t(21));
        QCOMPARE(maxAbs(fork->drift), 0.0);   // every state, bit for bit
        QCOMPARE(maxAbs(fork->driftX0), 0.0);
        // …and the same as the run the view streamed (the replayed parent is that run).
        const auto streamed = f.view->runner().lastSummary().samples;
        QVERIFY(at::equal(fork->run.trajectory.frame(20).to(at::kFloat), streamed));
        QVERIFY(!f.fork().forkCanvas().image().isNull());
        QVERIFY(!f.fork().parentCanvas().image().isNull());
        QVERIFY(f.fork().driftChart().title().contains("zero"));
    }

    void forkWithOtherOptionsDriftsOnlyAfterTheFork()
    {
        Fixture f(6);
        QVERIFY(f.ready);
        auto s = SamplerSettings::of("ddim", 10); // deterministic DDIM from the DDPM state at step 6
        s.options.eta = 0;
        f.fork().editor().setSettings(s);
        const Fork* fork = f.forkAndWait();
        QVERIFY(fork);
        QCOMPARE(fork->at, int64_t(6));
        for (int64_t i = 0; i <= 6; ++i)
            QCOMPARE(fork->drift[i].item<double>(), 0.0);
        const auto last = fork->drift.size(0) - 1;
        QVERIFY2(fork->drift[last].item<double>() > 1e-4, qPrintable(f.fork().summary()));
        QCOMPARE(fork->t.back(), int64_t(0));
        // The chart: x_t and x̂0 drift after the fork, on a log axis.
        f.fork().driftChart().flush();
        QCOMPARE(f.fork().driftChart().series().size(), 2);
        QCOMPARE(f.fork().driftChart().series()[0].points.size(), int(last - 6)); // from the first step after the fork
        QVERIFY(!f.fork().driftChart().title().contains("zero"));
        // One slider by t: both canvases follow; the parent shows its frame of nearest t.
        auto& slider = f.fork().slider();
        QCOMPARE(slider.minimum(), 6);
        QCOMPARE(slider.maximum(), int(last));
        slider.setValue(7);
        QCOMPARE(f.fork().shownFrame(), 7);
        const auto parentFirst = f.fork().parentCanvas().image();
        slider.setValue(int(last));
        QVERIFY(f.fork().parentCanvas().image() != parentFirst);
        // The recording is kept: a second fork reuses it (same object).
        const auto* recorded = f.fork().recorded().run.get();
        QVERIFY(recorded);
        QVERIFY(f.forkAndWait());
        QCOMPARE(f.fork().recorded().run.get(), recorded);
    }

    void forkingFromTheFinalSampleSaysWhy()
    {
        Fixture f(20);
        QVERIFY(f.ready);
        QSignalSpy failed(&f.fork(), &ForkView::failed);
        QVERIFY(f.fork().fork());
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY2(failed.first().at(0).toString().contains("final sample"), qPrintable(failed.first().at(0).toString()));
        QVERIFY(!f.fork().result());
        QVERIFY(!f.fork().running());
    }

    void withoutARunThereIsNothingToFork()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        QSignalSpy failed(&view.forkView(), &ForkView::failed);
        QVERIFY(!view.forkView().fork());
        QCOMPARE(failed.count(), 1);
        QVERIFY(!view.forkView().hasParent());
    }
};

DS_TEST_SUITE(ForkViewTest, "fork_view");
#include "test_fork_view.moc"
