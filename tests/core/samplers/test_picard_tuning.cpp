// Picard's window from the batch-scaling curve: the analytic extremes (a saturated CPU whose
// time grows with rows, an idle GPU whose call costs the same at any batch), interpolation of
// the curve, and bad curves.
#include "core/samplers/picard_tuning.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTest>

using namespace ds;

class PicardTuningTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void curveInterpolatesAndExtends()
    {
        const BatchScalingCurve curve{{1, 0.010}, {4, 0.016}, {16, 0.040}};
        QCOMPARE(secondsPerCall(curve, 1), 0.010);
        QCOMPARE(secondsPerCall(curve, 4), 0.016);
        QVERIFY(qFuzzyCompare(secondsPerCall(curve, 2), 0.012));   // a third of the way from 1 to 4
        QVERIFY(qFuzzyCompare(secondsPerCall(curve, 10), 0.028));  // halfway from 4 to 16
        QVERIFY(qFuzzyCompare(secondsPerCall(curve, 64), 0.160));  // 64 rows at 16's per-row cost
        QCOMPARE(secondsPerCall(BatchScalingCurve{{8, 0.5}}, 2), 0.5); // below the first point
    }

    void saturatedCpuKeepsTheSequentialSampler()
    {
        // c(b) = 5 ms · b: r(W) = W / min(W, ρ) ≥ 1 for every window.
        PicardTuningInput in{{{1, 0.005}, {2, 0.010}, {64, 0.320}}, 4, 100, 4.0, 2};
        const auto choice = choosePicardWindow(in);
        QCOMPARE(choice.window, 1);
        QVERIFY(!choice.parallelWins);
        for (const auto& c : picardCandidates(in))
            QVERIFY(c.relativeTime >= 1.0 - 1e-12);
        QCOMPARE(picardCandidates(in).back().window, 100); // the whole chain is a candidate
    }

    void flatCurvePicksTheSmallestWindowThatReachesTheSlide()
    {
        // c(b) = 20 ms at any batch: r(W) = 1 / min(W, ρ), lowest first at W = 8 ≥ ρ = 6.
        PicardTuningInput in{{{1, 0.02}, {4096, 0.02}}, 16, 100, 6.0, 1};
        const auto choice = choosePicardWindow(in);
        QCOMPARE(choice.window, 8);
        QCOMPARE(choice.rowsPerCall, 128);
        QVERIFY(qFuzzyCompare(choice.relativeTime, 1.0 / 6.0));
        QVERIFY(choice.parallelWins);
    }

    void crossOverFollowsTheCurve()
    {
        // N = 4, ρ = 4: r(2) = c(8)/(2 c(4)) = 0.6, r(4) = c(16)/(4 c(4)) = 0.4,
        // r(8) = c(32)/(4 c(4)) = 0.8, r(16) = 1.6: the per-row cost stops falling at 16 rows.
        PicardTuningInput in{{{4, 0.010}, {16, 0.016}, {64, 0.064}}, 4, 50, 4.0, 2};
        const auto choice = choosePicardWindow(in);
        QCOMPARE(choice.window, 4);
        QVERIFY(qFuzzyCompare(choice.relativeTime, 0.4));
    }

    void badInputsAreRefused()
    {
        DS_EXPECT_ERROR(secondsPerCall({}, 1), "curve is empty");
        DS_EXPECT_ERROR(secondsPerCall({{1, 0.0}}, 1), "positive time");
        DS_EXPECT_ERROR(secondsPerCall({{1, 0.1}}, 0), "at least one row");
        PicardTuningInput in{{{1, 0.1}}, 0, 10, 4.0, 1};
        DS_EXPECT_ERROR(choosePicardWindow(in), "samples and steps");
        in.samples = 1;
        in.expectedSlide = 0.5;
        DS_EXPECT_ERROR(choosePicardWindow(in), "expected slide");
    }
};

DS_TEST_SUITE(PicardTuningTest, "picard_tuning");
#include "test_picard_tuning.moc"
