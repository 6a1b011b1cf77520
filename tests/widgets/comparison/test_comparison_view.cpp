// widgets/comparison_view: 2..6 panes, one shared x_T, synchronised scrubbing by t/T (x_T at
// the slider's left end), the stochastic-σ toggle applied live and to panes added while it is
// on, per-pane cost and the metric hook (cleared on a rerun), each pane's samplers from its
// model, and long messages that elide without resizing the window or the images.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/stochastic_sigma_bar.h"
#include "widgets/comparison/comparison_pane.h"
#include "widgets/comparison/comparison_view.h"

#include "core/samplers/sampler_registry.h"

#include <ATen/ATen.h>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QStyle>
#include <QTest>

using namespace ds;
using namespace ds::test;

namespace {

SamplerSettings quick(const QString& sampler, int steps) { return SamplerSettings::of(sampler, steps); }

// Two fast panes (DDPM following the σ toggle, DDIM not) on the Gaussian oracle, run once.
struct Fixture {
    Engine engine;
    ComparisonView view{engine.model};
    bool ready = false;
    Fixture()
    {
        view.setPaneSettings({quick("ddpm", 30), quick("ddim", 10)});
        view.pane(0)->setFollowsSigmaToggle(true);
        view.pane(1)->setFollowsSigmaToggle(false);
        view.show();
        ready = engine.open(kGaussianOracle);
        ready = ready && QTest::qWaitFor([&] { return !view.running() && view.pane(1)->summary().passes > 0; }, 30000);
    }
};

} // namespace

class ComparisonViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void addsAndRemovesPanesWithinTwoToSix()
    {
        Engine engine;
        ComparisonView view(engine.model);
        QCOMPARE(view.paneCount(), 3);
        QSignalSpy count(&view, &ComparisonView::paneCountChanged);
        while (view.paneCount() < ComparisonView::kMaxPanes)
            QVERIFY(view.addPane(quick("ddim", 5)));
        QVERIFY(!view.addPane(quick("ddim", 5)));
        QCOMPARE(view.paneCount(), 6);
        while (view.paneCount() > ComparisonView::kMinPanes)
            QVERIFY(view.removePane(0));
        QVERIFY(!view.removePane(0));
        QCOMPARE(view.paneCount(), 2);
        QCOMPARE(count.count(), 3 + 4);
        // The × button of a pane removes it too (above the minimum).
        view.addPane(quick("ddim", 5));
        Q_EMIT view.pane(2)->removeRequested();
        QCOMPARE(view.paneCount(), 2);
    }

    void panesStartFromOneXTAndReportTheirCost()
    {
        Fixture f;
        QVERIFY(f.ready);
        const auto& a = f.view.pane(0)->trajectory();
        const auto& b = f.view.pane(1)->trajectory();
        QCOMPARE(a.t(0), int64_t(100)); // x_T first
        QVERIFY(at::equal(a.frame(0), b.frame(0)));
        QCOMPARE(f.view.pane(0)->summary().passes, int64_t(30));
        QCOMPARE(f.view.pane(1)->summary().passes, int64_t(10));
        const auto stats = f.view.pane(1)->statsText();
        QVERIFY2(stats.contains("10 network passes in 10 rounds") && stats.contains("wall") && stats.contains("FID proxy —"),
                 qPrintable(stats));
    }

    void scrubbingIsSynchronisedByNormalisedTime()
    {
        Fixture f;
        QVERIFY(f.ready);
        f.view.setTime(1.0);
        QVERIFY(f.view.pane(0)->statsText().startsWith("t = 100"));
        QVERIFY(f.view.pane(1)->statsText().startsWith("t = 100"));
        f.view.setTime(0.0);
        QVERIFY(f.view.pane(0)->statsText().startsWith("t = 0"));
        QVERIFY(f.view.pane(1)->statsText().startsWith("t = 0"));
        f.view.setTime(0.5); // each pane shows its frame nearest to t = 50
        const auto t0 = f.view.pane(0)->statsText().section(' ', 2, 2).toInt();
        const auto t1 = f.view.pane(1)->statsText().section(' ', 2, 2).toInt();
        QVERIFY2(std::abs(t0 - 50) <= 5 && std::abs(t1 - 50) <= 15, qPrintable(QString("%1 %2").arg(t0).arg(t1)));
    }

    void sigmaToggleAppliesLiveToChosenPanes()
    {
        Fixture f;
        QVERIFY(f.ready);
        const auto ddimBefore = f.view.pane(1)->settings();
        f.view.sigmaBar().setStochastic(false);
        QCOMPARE(f.view.pane(0)->settings().options.sigmaScale, 0.0); // DDPM follows: mean path
        QVERIFY(f.view.pane(0)->running());                  // …and reruns at once
        QVERIFY(f.view.pane(1)->settings() == ddimBefore);    // DDIM does not follow
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running(), 30000);
        f.view.pane(1)->setFollowsSigmaToggle(true);
        f.view.sigmaBar().setStochastic(true);
        QCOMPARE(f.view.pane(1)->settings().options.eta, 1.0);
        QCOMPARE(f.view.pane(0)->settings().options.sigmaScale, 1.0);
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running(), 30000);
    }

    void sigmaToggleAppliesToPanesAddedWhileOn()
    {
        Fixture f;
        QVERIFY(f.ready);
        QVERIFY(f.view.sigmaBar().stochastic());
        auto* added = f.view.addPane(quick("ddim", 10)); // "Add pane" while the toggle is on
        QCOMPARE(added->settings().options.eta, 1.0);    // stochastic from its first run
        QVERIFY(added->running());
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running(), 30000);
        f.view.sigmaBar().setStochastic(false);
        QCOMPARE(added->settings().options.eta, 0.0);
        auto* later = f.view.addPane(quick("ddim", 10)); // and while it is off: deterministic
        QCOMPARE(later->settings().options.eta, 0.0);
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running(), 30000);
    }

    void sliderEndsAreLabelledTheRightWayRound()
    {
        Fixture f;
        QVERIFY(f.ready);
        auto* slider = f.view.findChild<QSlider*>();
        QLabel* noiseEnd = nullptr;
        QLabel* samplesEnd = nullptr;
        for (auto* l : f.view.findChildren<QLabel*>()) {
            if (l->text() == "x_T")
                noiseEnd = l;
            if (l->text() == "samples")
                samplesEnd = l;
        }
        QVERIFY(slider && noiseEnd && samplesEnd);
        QVERIFY(noiseEnd->x() < slider->x() && samplesEnd->x() > slider->x()); // x_T on the left
        // Where the handle sits for t/T = 1 and 0, in the slider's own drawing direction.
        const auto handleAt = [&](double time) {
            f.view.setTime(time);
            return QStyle::sliderPositionFromValue(slider->minimum(), slider->maximum(), slider->value(),
                                                   slider->width(), slider->invertedAppearance());
        };
        QVERIFY(handleAt(1.0) < slider->width() / 4);     // x_T: the left end …
        QVERIFY(f.view.pane(0)->statsText().startsWith("t = 100")); // … shows x_T
        QVERIFY(handleAt(0.0) > 3 * slider->width() / 4); // samples: the right end
        QVERIFY(f.view.pane(0)->statsText().startsWith("t = 0"));
    }

    void rerunClearsTheOldMetric()
    {
        Fixture f;
        QVERIFY(f.ready);
        SampleMetric metric;
        metric.name = "MMD";
        metric.compute = [](const at::Tensor& samples, DataRange, const std::string&) -> std::optional<QString> {
            return QStringLiteral("MMD %1").arg(samples.size(0));
        };
        f.view.setMetric(metric);
        f.view.runAll();
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running() && f.view.pane(1)->statsText().contains("MMD 9"), 30000);
        f.view.pane(1)->setSettings(quick("ddim", 20));
        f.view.runPane(f.view.pane(1)); // what an edit does after its debounce
        const auto during = f.view.pane(1)->statsText();
        QVERIFY2(!during.contains("MMD 9") && during.contains("ddim 20"), qPrintable(during));
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running() && f.view.pane(1)->statsText().contains("MMD 9"), 30000);
    }

    void panesOfferTheirModelsSamplersOnly()
    {
        if (!fashionMnistInstalled())
            QSKIP("Fashion-MNIST not installed");
        Fixture f;
        QVERIFY(f.ready);
        QVERIFY(f.view.pane(0)->offeredSamplers().contains("ddpm"));
        QVERIFY(!f.view.pane(0)->offeredSamplers().contains("pixel-aware"));
        // A pane of its own on the per-pixel oracle: pixel-aware only, from data.
        auto s = f.view.pane(1)->settings();
        s.model = QStringLiteral("oracle:fashion-mnist?n=200&schedule=pixel-aware");
        f.view.pane(1)->setSettings(s);
        f.view.runPane(f.view.pane(1));
        QTRY_VERIFY_WITH_TIMEOUT(f.view.pane(1)->offeredSamplers() == QStringList{"pixel-aware"}, 60000);
        QCOMPARE(f.view.pane(1)->settings().sampler, QStringLiteral("pixel-aware"));
        QCOMPARE(f.view.pane(1)->settings().start, QStringLiteral("data"));
        // Not DDIM's 10 steps carried over: the pixel-aware sampler's own default (its whole chain).
        QCOMPARE(f.view.pane(1)->settings().options.steps, std::min<int64_t>(defaultOptions("pixel-aware").steps, 200));
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running(), 120000);
        QVERIFY2(!f.view.pane(1)->messageText().startsWith("failed"), qPrintable(f.view.pane(1)->messageText()));
        QVERIFY(f.view.pane(1)->summary().completedSteps > 0);
    }

    void longErrorsElideAndFootersKeepTheImageSize()
    {
        Fixture f;
        QVERIFY(f.ready);
        f.view.resize(1200, 800);
        QTRY_VERIFY(f.view.width() == 1200);
        const int minimum = f.view.minimumSizeHint().width();
        const auto canvas = f.view.pane(1)->canvas().size();
        // DDPM's form has a row more than DDIM's (σ² and σ scale against η): the images still
        // share one size, so the panes compare at one zoom.
        QCOMPARE(f.view.pane(0)->canvas().size(), canvas);
        // A long metric line (the footer grows) must not shrink the image: no 1×/2× flip.
        SampleMetric metric;
        metric.name = "MMD";
        metric.compute = [](const at::Tensor&, DataRange, const std::string&) -> std::optional<QString> {
            return QStringLiteral("MMD ") + QString(300, QLatin1Char('7'));
        };
        f.view.setMetric(metric);
        f.view.runAll();
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running() && f.view.pane(1)->statsText().contains("777"), 30000);
        QTest::qWait(50);
        QCOMPARE(f.view.pane(1)->canvas().size(), canvas);
        // A model path of 2000 characters that fails to open: the message elides, the window
        // keeps its width.
        auto s = f.view.pane(0)->settings();
        s.model = "/no/such/" + QString(2000, QLatin1Char('m')) + ".pt";
        f.view.pane(0)->setSettings(s);
        f.view.runPane(f.view.pane(0));
        QTRY_VERIFY_WITH_TIMEOUT(f.view.pane(0)->statsText().contains("model failed"), 30000);
        QTest::qWait(50);
        QVERIFY2(f.view.minimumSizeHint().width() <= minimum, qPrintable(QString::number(f.view.minimumSizeHint().width())));
        QCOMPARE(f.view.width(), 1200);
        QCOMPARE(f.view.pane(1)->canvas().size(), canvas);
    }

    void metricHookFillsTheLabel()
    {
        Fixture f;
        QVERIFY(f.ready);
        SampleMetric metric;
        metric.name = "MMD";
        metric.compute = [](const at::Tensor& samples, DataRange, const std::string&) -> std::optional<QString> {
            return QStringLiteral("MMD %1").arg(samples.size(0));
        };
        f.view.setMetric(metric);
        f.view.runAll();
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(f.view.pane(0)->statsText().contains("MMD 9"), 10000); // scored off the UI thread
    }
};

DS_TEST_SUITE(ComparisonViewTest, "comparison_view");
#include "test_comparison_view.moc"
