// Timestep grids: strictly decreasing, inside [0, T−1], with each spacing's defining property.
#include "models/error.h"
#include "core/samplers/timesteps.h"
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
        for (auto s : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace, Spacing::LogSnr, Spacing::Karras,
                       Spacing::Exponential})
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

    // Reference values from numpy: np.round(np.arange(T, 0, -T/n)).astype(int) - 1, T = 1000.
    // Kills the mutation "round halves away from zero" (812 instead of 811 at position 3).
    void trailingMatchesNumpyRounding_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<qlonglong>("sum");
        QTest::addColumn<QList<qlonglong>>("head");
        QTest::newRow("16") << 16 << 8484LL << QList<qlonglong>{999, 937, 874, 811, 749, 687};
        QTest::newRow("80") << 80 << 40420LL << QList<qlonglong>{999, 987, 974, 961, 949, 937};
        QTest::newRow("400") << 400 << 200100LL << QList<qlonglong>{999, 997, 994, 991, 989, 987};
    }
    void trailingMatchesNumpyRounding()
    {
        QFETCH(int, n);
        QFETCH(qlonglong, sum);
        QFETCH(QList<qlonglong>, head);
        Schedule schedule(ScheduleSpec::linear(1000));
        auto grid = timestepGrid(schedule, n, Spacing::Trailing);
        qlonglong total = 0;
        for (auto k : grid)
            total += k;
        QCOMPARE(total, sum);
        for (int i = 0; i < head.size(); ++i)
            QCOMPARE(qlonglong(grid[size_t(i)]), head[i]);
    }

    // numpy: np.round(np.linspace(0, T - 1, n))[::-1] (diffusers "linspace"), T = 1000, n = 16.
    void linspaceMatchesNumpy()
    {
        Schedule schedule(ScheduleSpec::linear(1000));
        const std::vector<int64_t> expected{999, 932, 866, 799, 733, 666, 599, 533, 466, 400, 333, 266, 200, 133, 67, 0};
        QCOMPARE(timestepGrid(schedule, 16, Spacing::Linspace), expected);
        QCOMPARE(timestepGrid(schedule, 7, Spacing::Linspace), (std::vector<int64_t>{999, 832, 666, 500, 333, 166, 0}));
    }

    // diffusers adds steps_offset to leading and linspace grids (Stable Diffusion uses 1).
    void stepsOffsetShiftsLeadingGrids()
    {
        Schedule schedule(ScheduleSpec::linear(1000));
        QCOMPARE(timestepGrid(schedule, 10, Spacing::Leading, 1).front(), 901);
        QCOMPARE(timestepGrid(schedule, 10, Spacing::Leading, 1).back(), 1);
        QCOMPARE(timestepGrid(schedule, 10, Spacing::Trailing, 1).front(), 999); // trailing ignores it
        DS_EXPECT_ERROR(timestepGrid(schedule, 16, Spacing::Linspace, 1), "past T");
    }

    // Karras ρ-grid: log σ of the picks follows σ_j^{1/ρ} linear in j, to the index resolution.
    void karrasFollowsTheRhoGrid()
    {
        Schedule schedule(ScheduleSpec::linear(1000));
        auto sigma = [&](int64_t k) { const double a = schedule.alphaBarAt(k); return std::sqrt((1 - a) / a); };
        const int n = 12;
        const double rho = 7;
        auto grid = timestepGrid(schedule, n, Spacing::Karras, 0, rho);
        const double hi = std::pow(sigma(999), 1 / rho), lo = std::pow(sigma(0), 1 / rho);
        double maxGap = 0; // largest step of log σ between neighbouring indices
        for (int64_t k = 1; k < 1000; ++k)
            maxGap = std::max(maxGap, std::log(sigma(k)) - std::log(sigma(k - 1)));
        for (int j = 0; j < n; ++j) {
            const double target = rho * std::log(hi + j * (lo - hi) / (n - 1));
            QVERIFY2(std::abs(std::log(sigma(grid[size_t(j)])) - target) <= 0.5 * maxGap + 1e-12,
                     qPrintable(QString::number(j)));
        }
        // ρ = 1 spaces σ linearly, which puts most points at high noise: more than the log-SNR grid.
        auto linearSigma = timestepGrid(schedule, n, Spacing::Karras, 0, 1.0);
        auto logsnr = timestepGrid(schedule, n, Spacing::LogSnr);
        QVERIFY(linearSigma[size_t(n / 2)] > logsnr[size_t(n / 2)]);
        QCOMPARE(timestepGrid(schedule, n, Spacing::Exponential), logsnr); // uniform log σ = uniform λ
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
