// widgets/trajectory/picard_view (and picard_heatmap) through the trajectory view: a Picard run
// is recorded round by round; the acceptance shown equals core's acceptanceRounds; the slider
// at the run's τ changes nothing; a looser τ' accepts no position later (and the last one
// earlier); the heatmap has one cell row per round; a non-Picard run clears the page.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/colour_legend.h"
#include "widgets/common/image_canvas.h"
#include "widgets/trajectory/picard_heatmap.h"
#include "widgets/trajectory/picard_view.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include <ATen/ATen.h>

#include <QSlider>
#include <QTest>

#include <cmath>

using namespace ds;
using namespace ds::test;

class PicardViewTest : public QObject {
    Q_OBJECT

    static void runAndRecord(TrajectoryView& view, const QString& sampler)
    {
        auto s = SamplerSettings::of(sampler, 40);
        s.options.window = 8;
        s.options.tolerance = 1e-3;
        view.controls().setSamplerSettings(s);
        view.controls().setBatch(3);
        view.run();
    }

private Q_SLOTS:
    void acceptanceFollowsTheRecordAndTheSlider()
    {
        Engine engine;
        QVERIFY(engine.open(kGaussianOracle));
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.resize(1200, 800);
        view.show();
        runAndRecord(view, "picard-ddpm");
        auto& picard = view.picardView();
        QTRY_VERIFY_WITH_TIMEOUT(picard.hasRecord(), 60000);
        const PicardRecord& record = *picard.record();
        QCOMPARE(record.steps, int64_t(40));
        QCOMPARE(record.tolerance, 1e-3);
        const auto rounds = record.residuals.size(0);
        QVERIFY2(rounds >= 5, qPrintable(QString::number(rounds))); // window 8 over 40 positions

        // Shown at τ: exactly core's acceptance, the last position in the last round, and the
        // sample as the run ended (the replay is the run the view streamed).
        const auto own = acceptanceRounds(record, record.tolerance);
        QCOMPARE(picard.tolerance(), record.tolerance);
        QCOMPARE(picard.acceptance(), own);
        QCOMPARE(own.back(), rounds);
        QVERIFY(at::equal(picard.sampleShown(), view.runner().lastSummary().samples));

        // Away and back to τ on the slider: nothing changes.
        auto& slider = picard.toleranceSlider();
        slider.setValue(120);
        slider.setValue(0);
        QCOMPARE(picard.tolerance(), record.tolerance);
        QCOMPARE(picard.acceptance(), own);
        QVERIFY(at::equal(picard.sampleShown(), sampleAtTolerance(record, record.tolerance)));

        // Looser τ': each position accepted no later than in the run.
        for (int v : {50, 100, 200}) {
            slider.setValue(v);
            const double tau = picard.tolerance();
            QVERIFY(std::abs(tau / (record.tolerance * std::pow(10.0, v / 50.0)) - 1) < 1e-12);
            QCOMPARE(picard.acceptance(), acceptanceRounds(record, tau));
            for (size_t j = 0; j < own.size(); ++j)
                QVERIFY2(picard.acceptance()[j] <= own[j], qPrintable(QString("position %1").arg(j)));
            QVERIFY(at::equal(picard.sampleShown(), sampleAtTolerance(record, tau)));
        }
        slider.setValue(slider.maximum()); // τ' = 10⁴ τ: anything evaluated once is accepted
        QVERIFY2(picard.acceptance().back() < own.back(), qPrintable(picard.summary()));

        // A τ' below the run's cannot be read from the record: it is held at τ.
        picard.setTolerance(record.tolerance / 10);
        QCOMPARE(picard.tolerance(), record.tolerance);
        QCOMPARE(slider.value(), 0);

        // The heatmap: one cell row per round, one column per position; a log colour bar.
        const auto cell = heatmapCell(rounds, record.steps);
        QCOMPARE(picard.heatmap().image().size(), QSize(int(record.steps) * cell.width(), int(rounds) * cell.height()));
        QVERIFY(picard.legend().scale().log);
        QVERIFY(picard.legend().scale().hi > picard.legend().scale().lo);

        // A run without rounds empties the page.
        view.controls().setSamplerSettings(SamplerSettings::of("ddim", 10));
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!picard.hasRecord() && !view.runner().running(), 30000);
        QVERIFY(picard.summary().contains("not a Picard run"));
    }

    void heatmapMarksWindowsAndAcceptance()
    {
        // A hand-made record: 2 rounds over 4 positions, window [0, 3) then [2, 4).
        PicardRecord r;
        r.steps = 4;
        r.tolerance = 0.1;
        r.residuals = at::full({2, 4}, std::nan(""), at::kDouble);
        r.residuals[0][0] = 1e-4;
        r.residuals[0][1] = 1.0;
        r.residuals[0][2] = 1e-3;
        r.residuals[1][2] = 1e-4;
        r.residuals[1][3] = 1e-4;
        r.windowBegin = {0, 2};
        r.windowEnd = {3, 4};
        r.accepted = {2, 4};
        r.sequentialCalls = {1, 2};
        r.sample = {at::zeros({1, 1, 2, 2}), at::ones({1, 1, 2, 2})};
        const auto acceptance = acceptanceRounds(r, 0.1);
        QCOMPARE(acceptance, (std::vector<int64_t>{1, 1, 2, 2})); // round 1: 1 leading residual ≤ τ² → 0, 1
        const auto scale = residualScale(r);
        QCOMPARE(scale.lo, -4.0);
        QCOMPARE(scale.hi, 0.0);
        const QSize cell(10, 10);
        const auto image = residualHeatmap(r, scale, acceptance, cell);
        QCOMPARE(image.size(), QSize(40, 20));
        QCOMPARE(image.pixelColor(35, 5), QColor(45, 45, 45));  // round 1, position 3: outside the window
        QCOMPARE(image.pixelColor(0, 2), QColor(Qt::white));     // round 1's window begins at 0
        QCOMPARE(image.pixelColor(5, 5), QColor(230, 30, 30));   // position 0 accepted in round 1
        QCOMPARE(image.pixelColor(25, 15), QColor(230, 30, 30)); // position 2 accepted in round 2
        QCOMPARE(image.pixelColor(11, 1), viridis(1.0));         // round 1, position 1: the largest residual
        QCOMPARE(image.pixelColor(22, 5), viridis(0.25));        // 1e-3 on the log scale 1e-4 … 1
    }
};

DS_TEST_SUITE(PicardViewTest, "picard_view");
#include "test_picard_view.moc"
