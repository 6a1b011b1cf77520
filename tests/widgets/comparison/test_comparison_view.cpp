// widgets/comparison_view: 2..6 panes, one shared x_T, synchronised scrubbing by t/T, the
// stochastic-σ toggle applied live, per-pane cost and the metric hook.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/stochastic_sigma_bar.h"
#include "widgets/comparison/comparison_pane.h"
#include "widgets/comparison/comparison_view.h"

#include <ATen/ATen.h>
#include <QSignalSpy>
#include <QTest>

using namespace ds;
using namespace ds::test;

namespace {

SamplerSettings quick(const QString& sampler, int steps)
{
    SamplerSettings s;
    s.sampler = sampler;
    s.steps = steps;
    return s;
}

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
        QCOMPARE(f.view.pane(0)->settings().sigmaScale, 0.0); // DDPM follows: mean path
        QVERIFY(f.view.pane(0)->running());                  // …and reruns at once
        QVERIFY(f.view.pane(1)->settings() == ddimBefore);    // DDIM does not follow
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running(), 30000);
        f.view.pane(1)->setFollowsSigmaToggle(true);
        f.view.sigmaBar().setStochastic(true);
        QCOMPARE(f.view.pane(1)->settings().eta, 1.0);
        QCOMPARE(f.view.pane(0)->settings().sigmaScale, 1.0);
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running(), 30000);
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
