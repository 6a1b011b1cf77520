// Timestep grids: strictly decreasing, inside [0, T−1], with each spacing's defining property.
#include "core/error.h"
#include "core/timesteps.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

class TimestepsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gridsAreStrictlyDecreasing_data()
    {
        QTest::addColumn<int>("spacing");
        QTest::addColumn<int>("steps");
        for (auto s : {Spacing::Leading, Spacing::Trailing, Spacing::LogSnr})
            for (int n : {1, 7, 10, 50, 333, 1000})
                QTest::newRow(qPrintable(QString("%1-%2").arg(QString::fromStdString(std::string(name(s)))).arg(n)))
                    << int(s) << n;
    }
    void gridsAreStrictlyDecreasing()
    {
        QFETCH(int, spacing);
        QFETCH(int, steps);
        Schedule schedule(ScheduleSpec::linear(1000));
        auto grid = timestepGrid(schedule, steps, Spacing(spacing));
        QCOMPARE(int64_t(grid.size()), int64_t(steps));
        for (size_t i = 0; i < grid.size(); ++i) {
            QVERIFY(grid[i] >= 0 && grid[i] <= 999);
            if (i > 0)
                QVERIFY(grid[i] < grid[i - 1]);
        }
        if (steps == 1000)
            QCOMPARE(grid.front(), 999); // every index visited
    }

    void trailingStartsAtTheLastIndexLeadingDoesNot()
    {
        Schedule schedule(ScheduleSpec::linear(1000));
        QCOMPARE(timestepGrid(schedule, 10, Spacing::Trailing).front(), 999);
        QCOMPARE(timestepGrid(schedule, 10, Spacing::Trailing).back(), 99);
        QCOMPARE(timestepGrid(schedule, 10, Spacing::Leading).front(), 900);
        QCOMPARE(timestepGrid(schedule, 10, Spacing::Leading).back(), 0);
    }

    void logSnrIsNearestToUniformLambda()
    {
        // Each grid point lies within half the largest gap between neighbouring indices of its
        // target λ_j = λ_{T−1} + j (λ_0 − λ_{T−1})/(n − 1).
        Schedule schedule(ScheduleSpec::linear(1000));
        auto lambda = [&](int64_t k) { const double a = schedule.alphaBarAt(k); return std::log(a / (1 - a)); };
        double maxGap = 0;
        for (int64_t k = 1; k < 1000; ++k)
            maxGap = std::max(maxGap, lambda(k - 1) - lambda(k));
        const int n = 20;
        auto grid = timestepGrid(schedule, n, Spacing::LogSnr);
        for (int j = 0; j < n; ++j) {
            const double target = lambda(999) + j * (lambda(0) - lambda(999)) / (n - 1);
            QVERIFY2(std::abs(lambda(grid[size_t(j)]) - target) <= 0.5 * maxGap + 1e-12, qPrintable(QString::number(j)));
        }
    }

    void badStepCountsAreRejected()
    {
        Schedule schedule(ScheduleSpec::linear(100));
        DS_EXPECT_ERROR(timestepGrid(schedule, 0, Spacing::Trailing), "steps must be >= 1");
        DS_EXPECT_ERROR(timestepGrid(schedule, -3, Spacing::Leading), "steps must be >= 1");
        DS_EXPECT_ERROR(timestepGrid(schedule, 101, Spacing::Trailing), "cannot exceed");
    }
};

DS_TEST_SUITE(TimestepsTest, "timesteps");
#include "test_timesteps.moc"
