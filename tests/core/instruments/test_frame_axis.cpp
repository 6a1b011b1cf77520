// core/instruments/frame_axis: λ of a frame is log(ᾱ/(1 − ᾱ)) at k = t − 1 (+∞ at t = 0, the
// mean ᾱ over the reference image for per-pixel schedules, NaN without one), and the nearest
// frame on an axis skips NaN, matches +∞ only to +∞ and keeps the first of ties.
#include "core/instruments/frame_axis.h"
#include "core/samplers/timesteps.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>
#include <limits>

using namespace ds;

class FrameAxisTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void logSnrIsTheSchedulesOwn()
    {
        for (const auto& spec : {ScheduleSpec::linear(1000), ScheduleSpec::cosine(100)}) {
            Schedule schedule(spec);
            for (int64_t t : {int64_t(1), spec.T / 3, spec.T}) {
                const double abar = schedule.alphaBarAt(t - 1);
                QVERIFY(std::abs(frameLogSnr(schedule, t) - std::log(abar / (1 - abar))) < 1e-9);
            }
            QVERIFY(std::isinf(frameLogSnr(schedule, 0)) && frameLogSnr(schedule, 0) > 0);
        }
    }

    void perPixelLogSnrUsesTheMeanAlphaBarOfTheReference()
    {
        Schedule schedule(ScheduleSpec::pixelAware(200, 20.0, 4e-3), DataRange{4e-3, 1.0});
        QVERIFY(std::isnan(frameLogSnr(schedule, 50)));
        auto clean = at::tensor({0.1, 0.9}, at::kDouble).reshape({1, 1, 1, 2});
        auto tilde = schedule.rescaledData(clean).reshape({-1});
        // ᾱ = exp(−γ t x̃0 / T) per pixel (seed 002), then the mean over the image.
        const double abar = 0.5 * (std::exp(-20.0 * 50 * tilde[0].item<double>() / 200)
                                   + std::exp(-20.0 * 50 * tilde[1].item<double>() / 200));
        QVERIFY(std::abs(frameLogSnr(schedule, 50, clean) - std::log(abar / (1 - abar))) < 1e-5);
    }

    void nearestSkipsNaNAndMatchesInfinityOnlyToInfinity()
    {
        const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
        const std::vector<double> v{-5.0, nan, -1.0, 1.0, 3.0, inf};
        QCOMPARE(nearestOnAxis(v, -1.2), int64_t(2));
        QCOMPARE(nearestOnAxis(v, 0.0), int64_t(2)); // a tie: the first
        QCOMPARE(nearestOnAxis(v, 100.0), int64_t(4)); // a finite target never picks +∞
        QCOMPARE(nearestOnAxis(v, inf), int64_t(5));
        QCOMPARE(nearestOnAxis({1.0, 2.0}, inf), int64_t(-1));
        QCOMPARE(nearestOnAxis({nan}, 0.0), int64_t(-1));
        QCOMPARE(nearestOnAxis({}, 0.0), int64_t(-1));
    }

    void tenAndHundredStepGridsMeetAtTheSameNoiseLevel()
    {
        // A 10-step linear and a 100-step cosine grid: at a chosen λ each picks the frame whose
        // λ is nearest, found here by brute force over every frame.
        Schedule linear(ScheduleSpec::linear(1000)), cosine(ScheduleSpec::cosine(1000));
        for (auto* schedule : {&linear, &cosine}) {
            const auto grid = timestepGrid(*schedule, schedule == &linear ? 10 : 100, Spacing::LogSnr);
            std::vector<double> lambdas;
            for (auto k : grid)
                lambdas.push_back(frameLogSnr(*schedule, k + 1));
            for (double target : {-6.0, -2.31, 0.0, 4.5}) {
                const auto i = nearestOnAxis(lambdas, target);
                QVERIFY(i >= 0);
                for (double other : lambdas)
                    QVERIFY(std::abs(lambdas[size_t(i)] - target) <= std::abs(other - target));
            }
        }
        QCOMPARE(frameAxisFromString("log-snr"), FrameAxis::LogSnr);
        QCOMPARE(std::string(name(FrameAxis::Nfe)), std::string("nfe"));
        DS_EXPECT_ERROR(frameAxisFromString("sigma"), "time|log-snr|nfe");
    }
};

DS_TEST_SUITE(FrameAxisTest, "frame_axis");
#include "test_frame_axis.moc"
