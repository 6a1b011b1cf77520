// Schedules: closed forms of β, ᾱ for linear, cosine and pixel-aware; JSON round trip; bad specs.
#include "core/error.h"
#include "core/schedule.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>

using namespace ds;

class ScheduleTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void linearBetasAreLinspace()
    {
        Schedule s(ScheduleSpec::linear(1000));
        const auto& b = s.betas();
        QCOMPARE(b.size(0), 1000);
        QCOMPARE(b[0].item<double>(), 1e-4);
        QCOMPARE(b[999].item<double>(), 0.02);
        QVERIFY(std::abs(b[500].item<double>() - (1e-4 + 500 * (0.02 - 1e-4) / 999)) < 1e-15);
    }

    void alphaBarIsCumulativeProduct()
    {
        Schedule s(ScheduleSpec::linear(50, 1e-3, 0.05));
        double product = 1.0;
        for (int64_t k = 0; k < 50; ++k) {
            product *= 1.0 - s.betas()[k].item<double>();
            QVERIFY(std::abs(s.alphaBarAt(k) - product) < 1e-14);
            // α_t = ᾱ_t / ᾱ_{t−1}
            QVERIFY(std::abs(s.alpha(k).item<double>() - (1.0 - s.betas()[k].item<double>())) < 1e-6);
        }
        QCOMPARE(s.alphaBarAt(-1), 1.0);
    }

    void cosineFollowsNicholDhariwal()
    {
        const double offset = 0.008;
        Schedule s(ScheduleSpec::cosine(1000, offset));
        auto f = [&](double t) {
            double c = std::cos((t / 1000.0 + offset) / (1 + offset) * std::numbers::pi / 2);
            return c * c;
        };
        // ᾱ_t = f(t)/f(0) wherever the β clip at 0.999 has not acted (all but the last steps).
        for (int64_t t : {1, 10, 100, 500, 900})
            QVERIFY(std::abs(s.alphaBarAt(t - 1) - f(double(t)) / f(0.0)) < 1e-12);
        QVERIFY(s.betas().max().item<double>() <= 0.999);
    }

    void pixelAwareAlphaBarIsExponential()
    {
        // ᾱ_i^j = exp(−γ i x̃0^j / T) with x̃0 = ε + (1 − ε)(x0 − lo)/(hi − lo) (seed 002 eq. 9).
        const double gamma = 20, eps = 4e-3;
        const int64_t T = 200;
        Schedule s(ScheduleSpec::pixelAware(T, gamma, eps), DataRange{-1, 1});
        auto x0 = at::tensor({-1.0f, 0.0f, 1.0f}).reshape({1, 1, 1, 3});
        const double xt[3] = {eps, eps + (1 - eps) * 0.5, 1.0};
        for (int64_t i : {1, 50, 200}) {
            auto abar = s.alphaBar(i - 1, x0).reshape({-1});
            for (int j = 0; j < 3; ++j)
                QVERIFY(std::abs(abar[j].item<double>() - std::exp(-gamma * i * xt[j] / T)) < 1e-6);
        }
        // α is constant in i: α = ᾱ_i/ᾱ_{i−1} = exp(−γ x̃0/T).
        DS_COMPARE_TENSORS(s.alpha(100, x0), s.alpha(3, x0), 1e-6);
    }

    void pixelRateFromScaleInvertsScale()
    {
        Schedule s(ScheduleSpec::pixelAware(200, 20), DataRange{0, 1});
        auto x0 = at::rand({2, 1, 4, 4});
        auto scale = at::exp(-20.0 * s.rescaledData(x0)); // x_δ = e^{−γ x̃0}
        DS_COMPARE_TENSORS(s.pixelRateFromScale(scale), s.pixelRate(x0), 1e-6);
    }

    void perSampleIndicesBroadcast()
    {
        Schedule s(ScheduleSpec::linear(100));
        auto k = at::tensor({0L, 50L, 99L});
        auto abar = s.alphaBar(k);
        QCOMPARE(abar.sizes(), (at::IntArrayRef{3, 1, 1, 1}));
        QVERIFY(std::abs(abar[1].item<double>() - s.alphaBarAt(50)) < 1e-7);
    }

    void jsonRoundTrip_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("linear") << int(ScheduleKind::Linear);
        QTest::newRow("cosine") << int(ScheduleKind::Cosine);
        QTest::newRow("pixel-aware") << int(ScheduleKind::PixelAware);
    }
    void jsonRoundTrip()
    {
        QFETCH(int, kind);
        ScheduleSpec spec;
        spec.kind = ScheduleKind(kind);
        spec.T = 321;
        spec.betaEnd = 0.03;
        spec.gamma = 33;
        auto back = scheduleSpecFromJson(toJson(spec), "test");
        QCOMPARE(int(back.kind), kind);
        QCOMPARE(back.T, 321);
        QCOMPARE(toJson(back).dump(), toJson(spec).dump());
    }

    void badSpecsAreRejected()
    {
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::linear(0)), "T must be");
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::linear(10, 0.5, 0.1)), "beta_start <= beta_end");
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::pixelAware(10, -1)), "gamma");
        DS_EXPECT_ERROR(scheduleSpecFromJson(nlohmann::json{{"kind", "quadratic"}, {"T", 10}}, "f.json"),
                        "unknown schedule 'quadratic'");
        DS_EXPECT_ERROR(scheduleSpecFromJson(nlohmann::json{{"kind", "linear"}}, "f.json"), "f.json");
        Schedule s(ScheduleSpec::linear(10));
        DS_EXPECT_ERROR(s.alphaBarAt(10), "outside [-1, 9]");
        Schedule pa(ScheduleSpec::pixelAware(10));
        DS_EXPECT_ERROR(pa.betas(), "scalar schedule");
    }
};

DS_TEST_SUITE(ScheduleTest, "schedule");
#include "test_schedule.moc"
