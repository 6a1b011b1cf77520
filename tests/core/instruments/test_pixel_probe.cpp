// The pixel probe against closed forms: a shared-ε forward path is √ᾱ x0 + √(1−ᾱ) ε at every
// t, the log-SNR column is log(ᾱ/(1−ᾱ)) of the schedule (per pixel for pixel-aware), and a
// probed reverse run reports the run's own frames and network passes.
#include "core/denoisers/gaussian_denoiser.h"
#include "core/forward_process.h"
#include "core/instruments/pixel_probe.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

class PixelProbeTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void forwardProbeFollowsTheClosedForm()
    {
        Schedule schedule(ScheduleSpec::linear(100));
        auto x0 = at::rand({2, 1, 6, 6}) * 2 - 1;
        NoiseSource noise(4);
        ForwardOptions options;
        options.mode = ForwardMode::SharedEpsilon;
        auto trajectory = forwardTrajectory(schedule, x0, options, noise);
        ProbeRegion a{1, 0, 2, 3}, patch{0, 0, 1, 1, 3, 2};
        auto table = probeTrajectory(trajectory, schedule, {a, patch});
        QCOMPARE(int64_t(table.t.size()), trajectory.size());
        // ε of each region from the last frame, then x_t = √ᾱ x0 + √(1 − ᾱ) ε for every frame.
        const double x0a = x0[1][0][2][3].item<double>(), x0p = x0[0][0].narrow(0, 1, 3).narrow(1, 1, 2).mean().item<double>();
        const int64_t last = int64_t(table.t.size()) - 1;
        const double abarT = schedule.alphaBarAt(table.t[size_t(last)] - 1);
        const double epsA = (table.xt[last][0].item<double>() - std::sqrt(abarT) * x0a) / std::sqrt(1 - abarT);
        const double epsP = (table.xt[last][1].item<double>() - std::sqrt(abarT) * x0p) / std::sqrt(1 - abarT);
        for (size_t f = 0; f < table.t.size(); ++f) {
            const double abar = schedule.alphaBarAt(table.t[f] - 1); // t = 0 gives ᾱ = 1
            QVERIFY(std::abs(table.xt[int64_t(f)][0].item<double>() - (std::sqrt(abar) * x0a + std::sqrt(1 - abar) * epsA)) < 1e-5);
            QVERIFY(std::abs(table.xt[int64_t(f)][1].item<double>() - (std::sqrt(abar) * x0p + std::sqrt(1 - abar) * epsP)) < 1e-5);
            const double lambda = table.logSnr[int64_t(f)][0].item<double>();
            if (table.t[f] == 0)
                QVERIFY(std::isinf(lambda) && lambda > 0);
            else
                QVERIFY(std::abs(lambda - std::log(abar / (1 - abar))) < 1e-9);
        }
        QVERIFY(at::isnan(table.x0).all().item<bool>()); // a forward path has no x̂0
    }

    void logSnrIsPerPixelForPixelAwareSchedules()
    {
        const auto spec = ScheduleSpec::pixelAware(200, 20.0, 4e-3);
        Schedule schedule(spec, DataRange{4e-3, 1.0});
        auto clean = at::tensor({0.1, 0.9}, at::kDouble).reshape({1, 1, 1, 2});
        PixelProbe probe(schedule, {{0, 0, 0, 0}, {0, 0, 0, 1}});
        for (int64_t t : {200, 50, 1})
            probe.record(t, 0, at::zeros({1, 1, 1, 2}), {}, clean);
        auto table = probe.table();
        auto tilde = schedule.rescaledData(clean).reshape({-1});
        for (int64_t f = 0; f < 3; ++f)
            for (int64_t p = 0; p < 2; ++p) {
                // ᾱ = exp(−γ t x̃0 / T), seed 002.
                const double abar = std::exp(-20.0 * double(table.t[size_t(f)]) * tilde[p].item<double>() / 200.0);
                // The schedule's per-pixel ᾱ is float32: agree to its precision.
                QVERIFY2(std::abs(table.logSnr[f][p].item<double>() - std::log(abar / (1 - abar))) < 1e-5,
                         qPrintable(QString("%1 vs %2").arg(table.logSnr[f][p].item<double>(), 0, 'g', 17).arg(std::log(abar / (1 - abar)), 0, 'g', 17)));
            }
        QVERIFY(table.logSnr[0][0].item<double>() > table.logSnr[0][1].item<double>()); // darker pixel keeps more signal
        // Without a clean image or an x̂0 the per-pixel λ is unknown, not made up.
        PixelProbe blind(schedule, {{0, 0, 0, 0}});
        blind.record(10, 0, at::zeros({1, 1, 1, 2}), {});
        QVERIFY(std::isnan(blind.table().logSnr[0][0].item<double>()));
    }

    void probedRunReportsItsFramesAndPasses()
    {
        GaussianDenoiser oracle(at::full({1, 4, 4}, 0.2), at::full({1, 4, 4}, 0.3), ScheduleSpec::linear(1000));
        auto sampler = makeSampler("ddim");
        auto options = defaultOptions("ddim");
        options.steps = 10;
        NoiseSource noise(1);
        auto xT = initialNoise(oracle, 2, noise);
        auto table = probeRun(*sampler, oracle, xT, options, noise, {{1, 0, 3, 0}});
        QCOMPARE(table.t.size(), size_t(11));
        QCOMPARE(table.t.front(), int64_t(1000));
        QCOMPARE(table.t.back(), int64_t(0));
        QCOMPARE(table.xt[0][0].item<double>(), xT[1][0][3][0].item<double>());
        for (size_t f = 0; f < table.nfe.size(); ++f)
            QCOMPARE(table.nfe[f], int64_t(f)); // DDIM: one pass per step
        // x̂0 sits on the row it was computed from; the last step lands on it: x_0 = x̂0(x at row 9).
        QCOMPARE(table.xt[10][0].item<double>(), table.x0[9][0].item<double>());
        QVERIFY(std::isnan(table.x0[10][0].item<double>()));
        QVERIFY(!std::isnan(table.x0[0][0].item<double>())); // x_T's x̂0 is the first step's
        // The λ column follows the grid down: strictly increasing as t falls.
        for (int64_t f = 1; f < 11; ++f)
            QVERIFY(table.logSnr[f][0].item<double>() > table.logSnr[f - 1][0].item<double>());
    }

    void badRegionsAreRefused()
    {
        Schedule schedule(ScheduleSpec::linear(10));
        DS_EXPECT_ERROR(PixelProbe(schedule, {}), "no pixels");
        DS_EXPECT_ERROR(PixelProbe(schedule, {{0, 0, 0, 0, 0, 1}}), "not a valid region");
        PixelProbe probe(schedule, {{0, 0, 3, 3, 2, 2}});
        DS_EXPECT_ERROR(probe.record(5, 0, at::zeros({1, 1, 4, 4}), {}), "outside");
    }
};

DS_TEST_SUITE(PixelProbeTest, "pixel_probe");
#include "test_pixel_probe.moc"
