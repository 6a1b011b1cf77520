// Axis ticks as pure functions: nice linear steps (1, 2, 5 × 10^k) that enclose the data,
// whole-number steps for integer axes, and one label per decade on log axes.
#include "widgets/common/axis_ticks.h"

#include "tests/support/test_registry.h"

#include <QTest>

#include <cmath>

using namespace ds;

namespace {

// The mantissa of a step: 1, 2 or 5 (× 10^k).
double mantissa(double step) { return step / std::pow(10.0, std::floor(std::log10(step) + 1e-9)); }

bool isNice(double step)
{
    const double m = mantissa(step);
    return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9;
}

} // namespace

class AxisTicksTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void linearTicksEncloseTheDataWithNiceSteps()
    {
        const double ranges[][2] = {{0, 1}, {-0.02, 1.0}, {0.004, 0.93}, {1, 91}, {-3.7, 12.2}, {1e-6, 3e-6}, {250, 251}};
        for (const auto& r : ranges) {
            const auto t = niceLinearTicks(r[0], r[1], 6);
            QVERIFY2(t.lo <= r[0] + 1e-12 && t.hi >= r[1] - 1e-12, qPrintable(QString::number(r[0])));
            QVERIFY(t.count() >= 2 && t.count() <= 6);
            QVERIFY2(isNice(t.step), qPrintable(QString::number(t.step)));
            for (int i = 1; i < t.count(); ++i) // evenly spaced, each a whole multiple of the step
                QVERIFY(std::abs(t.values[i] - t.values[i - 1] - t.step) < 1e-9 * std::max(1.0, t.step));
            for (double v : t.values)
                QVERIFY(std::abs(v / t.step - std::round(v / t.step)) < 1e-6);
        }
    }

    void unitRangeGivesTenthsNotNoise()
    {
        const auto t = niceLinearTicks(0, 1, 6);
        QCOMPARE(t.step, 0.2);
        QCOMPARE(t.decimals, 1);
        QStringList labels;
        for (double v : t.values)
            labels << tickLabel(v, t.decimals);
        QCOMPARE(labels, (QStringList{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
        // A mean curve dipping just below 0 does not print −0.02 / 0.21-style ends.
        const auto m = niceLinearTicks(-0.004, 0.998, 6);
        for (double v : m.values)
            QVERIFY(std::abs(v * 10 - std::round(v * 10)) < 1e-9);
    }

    void integerAxesStepByWholeNumbers()
    {
        for (const auto& r : std::initializer_list<std::pair<double, double>>{{1, 91}, {1, 5}, {0, 2}, {1, 1125}, {3, 3}}) {
            const auto t = niceLinearTicks(r.first, r.second, 6, true);
            QVERIFY(t.step >= 1 && t.step == std::round(t.step));
            QCOMPARE(t.decimals, 0);
            for (double v : t.values)
                QCOMPARE(v, std::round(v));
        }
        const auto steps = niceLinearTicks(1, 91, 6, true);
        QCOMPARE(steps.step, 20.0);
        QCOMPARE(tickLabel(steps.values[1], steps.decimals), QStringLiteral("20"));
    }

    void badInputFallsBackToTheUnitRange()
    {
        const auto t = niceLinearTicks(std::nan(""), 1, 6);
        QCOMPARE(t.lo, 0.0);
        QCOMPARE(t.hi, 1.0);
        const auto swapped = niceLinearTicks(5, 1, 6);
        QCOMPARE(swapped.lo, 0.0);
        const auto single = niceLinearTicks(0.5, 0.5, 6);
        QVERIFY(single.lo < 0.5 && single.hi > 0.5);
    }

    void logAxesLabelEveryDecade()
    {
        // A loss between 0.2 and 1.3 spans the decades 0.1 .. 10: three labels, not one "1e+00".
        const auto d = decadeTicks(0.2, 1.3);
        QCOMPARE(d.lo, -1);
        QCOMPARE(d.hi, 1);
        QCOMPARE(d.exponents, (QVector<int>{-1, 0, 1}));
        const auto snr = decadeTicks(3e-4, 20);
        QCOMPARE(snr.exponents, (QVector<int>{-4, -3, -2, -1, 0, 1, 2}));
        const auto exact = decadeTicks(0.01, 1); // exact powers are not widened
        QCOMPARE(exact.exponents, (QVector<int>{-2, -1, 0}));
    }

    void manyDecadesAreThinnedButStayWhole()
    {
        const auto d = decadeTicks(1e-30, 1e4, 9);
        QVERIFY(d.exponents.size() <= 9);
        QVERIFY(d.stride > 1);
        QVERIFY(d.lo <= -30 && d.hi >= 4);
        QCOMPARE(d.exponents.front(), d.lo);
        QCOMPARE(d.exponents.back(), d.hi);
        for (int i = 1; i < d.exponents.size(); ++i)
            QCOMPARE(d.exponents[i] - d.exponents[i - 1], d.stride);
    }

    void decadeLabelsAreReadable()
    {
        QCOMPARE(decadeLabel(-3), QStringLiteral("1e-3"));
        QCOMPARE(decadeLabel(-2), QStringLiteral("0.01"));
        QCOMPARE(decadeLabel(-1), QStringLiteral("0.1"));
        QCOMPARE(decadeLabel(0), QStringLiteral("1"));
        QCOMPARE(decadeLabel(3), QStringLiteral("1000"));
        QCOMPARE(decadeLabel(4), QStringLiteral("1e4"));
        QCOMPARE(tickLabel(-0.0000001, 2), QStringLiteral("0.00")); // no "-0.00"
        const auto bad = decadeTicks(0, -1);
        QCOMPARE(bad.exponents, (QVector<int>{-1, 0}));
    }
};

DS_TEST_SUITE(AxisTicksTest, "axis_ticks");
#include "test_axis_ticks.moc"
