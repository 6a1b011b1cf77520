// Trajectory storage: size budget of a T = 1000 trajectory, precision of float16 storage,
// subsampling, export stacking.
#include "core/trajectory.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

using namespace ds;

class TrajectoryTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void thousandFramesOf128x128x3FitTheBudget()
    {
        // Issue 2: a T = 1000 trajectory of one 128×128×3 image within about 200 MB, with x̂0.
        Trajectory traj; // float16
        auto x = at::randn({1, 3, 128, 128});
        for (int64_t t = 1000; t >= 0; --t)
            traj.append(t, x, x);
        const double megabytes = double(traj.bytes()) / 1e6;
        qInfo("T=1000 trajectory with x0-hat: %.1f MB", megabytes);
        QCOMPARE(traj.bytes(), int64_t(1001) * 2 * 3 * 128 * 128 * 2);
        QVERIFY(megabytes < 200);
    }

    void halfStorageKeepsThreeDigits()
    {
        Trajectory traj;
        auto x = at::randn({2, 1, 8, 8}) * 3;
        traj.append(5, x);
        // float16 has a 10-bit mantissa: relative error ≤ 2^-11.
        auto rel = ((traj.frame(0) - x).abs() / x.abs().clamp_min(1e-3)).max().item<double>();
        QVERIFY2(rel <= 1.0 / 2048 + 1e-6, qPrintable(QString::number(rel)));
        Trajectory exact(Trajectory::Storage::Float32);
        exact.append(5, x);
        QVERIFY(at::equal(exact.frame(0), x));
    }

    void subsampleKeepsEndsAndOrder()
    {
        Trajectory traj(Trajectory::Storage::Float32);
        for (int64_t t = 100; t >= 0; --t)
            traj.append(t, at::full({1, 1, 1, 1}, double(t)));
        auto sub = traj.subsampled(11);
        QCOMPARE(sub.size(), 11);
        QCOMPARE(sub.t(0), 100);
        QCOMPARE(sub.t(10), 0);
        QCOMPARE(sub.frame(5).item<float>(), 50.0f);
        QCOMPARE(traj.nearestFrame(37), 63); // frames are in falling t
    }

    void stackedPredictionsMarkMissingFramesNaN()
    {
        Trajectory traj(Trajectory::Storage::Float32);
        traj.append(2, at::zeros({1, 1, 2, 2}));
        traj.append(1, at::ones({1, 1, 2, 2}), at::ones({1, 1, 2, 2}) * 2);
        auto p = traj.stackedPredictions();
        QCOMPARE(p.sizes(), (at::IntArrayRef{2, 1, 1, 2, 2}));
        QVERIFY(at::isnan(p[0]).all().item<bool>());
        QCOMPARE(p[1].max().item<float>(), 2.0f);
        QVERIFY(traj.hasPredictions());
    }

    void mismatchedFramesAreRejected()
    {
        Trajectory traj;
        traj.append(1, at::zeros({1, 1, 2, 2}));
        DS_EXPECT_ERROR(traj.append(0, at::zeros({1, 1, 3, 3})), "share one shape");
        DS_EXPECT_ERROR(traj.append(0, at::zeros({3, 3})), "[N, C, H, W]");
    }
};

DS_TEST_SUITE(TrajectoryTest, "trajectory");
#include "test_trajectory.moc"
