// Schedules: closed forms of β, ᾱ for every kind (linear against diffusers' own float32 table),
// explicit tables, zero-terminal-SNR rescaling, JSON round trips, bad specs and tables.
#include "core/denoisers/denoiser_loader.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "models/error.h"
#include "core/io/npy.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/timesteps.h"
#include "core/schedule.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_registry.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>

using namespace ds;

namespace {

const std::string kFixtureDir = ds::test::fixturesDir() + "/diffusers/A/";

std::vector<double> toVector(const at::Tensor& t)
{
    auto c = t.to(at::kDouble).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

ScheduleSpec zeroSnrLinear(int64_t T = 1000)
{
    auto spec = ScheduleSpec::linear(T);
    spec.rescaleZeroTerminalSnr = true;
    return spec;
}

} // namespace

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
        QTest::newRow("scaled-linear") << int(ScheduleKind::ScaledLinear);
        QTest::newRow("sigmoid") << int(ScheduleKind::Sigmoid);
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

    void kindSpellingsAreStable()
    {
        const std::pair<ScheduleKind, const char*> spellings[] = {
            {ScheduleKind::Linear, "linear"},   {ScheduleKind::ScaledLinear, "scaled-linear"},
            {ScheduleKind::Sigmoid, "sigmoid"}, {ScheduleKind::Cosine, "cosine"},
            {ScheduleKind::PixelAware, "pixel-aware"}, {ScheduleKind::Betas, "betas"},
            {ScheduleKind::AlphasCumprod, "alphas-cumprod"}};
        for (const auto& [kind, text] : spellings) {
            QCOMPARE(std::string(name(kind)), std::string(text));
            QCOMPARE(int(scheduleKindFromString(text)), int(kind));
        }
    }

    void linearMatchesDiffusersFloat32Tables()
    {
        // diffusers builds β = linspace in float32 and ᾱ = cumprod in float32; we keep float64,
        // so the two agree to float32 rounding (β: half an ulp of 0.02; ᾱ: accumulated over T).
        Schedule s(ScheduleSpec::linear(1000));
        const auto betas = loadNpy(kFixtureDir + "sched_betas_f32.npy");
        const auto abar = loadNpy(kFixtureDir + "sched_alphas_cumprod_f32.npy");
        // Measured: β within 1.2 float32 ulps (relative 1.4e−7), ᾱ within relative 3.5e−7.
        auto relative = [](const at::Tensor& ours, const at::Tensor& theirs) {
            return ((ours - theirs.to(at::kDouble)).abs() / ours).max().item<double>();
        };
        QCOMPARE(betas.size(0), 1000);
        QVERIFY(relative(s.betas(), betas) < std::ldexp(1.0, -22)); // 2 ulps
        QVERIFY(relative(s.alphasCumprod(), abar) < 1e-6);
    }

    void scaledLinearIsSquaredLinspace()
    {
        // β_k = (√β_1 + k (√β_T − √β_1)/(T − 1))².
        const double b0 = 0.00085, b1 = 0.012;
        ScheduleSpec spec = ScheduleSpec::linear(1000, b0, b1);
        spec.kind = ScheduleKind::ScaledLinear;
        Schedule s(spec);
        for (int64_t k : {0, 1, 500, 999}) {
            const double root = std::sqrt(b0) + k * (std::sqrt(b1) - std::sqrt(b0)) / 999.0;
            QVERIFY(std::abs(s.betas()[k].item<double>() - root * root) < 1e-15);
        }
    }

    void sigmoidFollowsItsClosedForm()
    {
        // β_k = σ(−6 + 12k/(T−1))·(β_T − β_1) + β_1.
        ScheduleSpec spec = ScheduleSpec::linear(200, 1e-4, 0.02);
        spec.kind = ScheduleKind::Sigmoid;
        Schedule s(spec);
        for (int64_t k : {0, 50, 100, 199}) {
            const double x = -6.0 + 12.0 * k / 199.0;
            const double expected = 1.0 / (1.0 + std::exp(-x)) * (0.02 - 1e-4) + 1e-4;
            QVERIFY(std::abs(s.betas()[k].item<double>() - expected) < 1e-15);
        }
    }

    void explicitTables()
    {
        Schedule fromBetas(ScheduleSpec::explicitBetas({0.1, 0.2, 0.5}));
        QCOMPARE(fromBetas.steps(), 3);
        QVERIFY(std::abs(fromBetas.alphaBarAt(2) - 0.9 * 0.8 * 0.5) < 1e-15);
        QCOMPARE(toVector(fromBetas.betas()), (std::vector<double>{0.1, 0.2, 0.5}));

        const std::vector<double> table{0.99, 0.9, 0.5, 0.01};
        Schedule fromAbar(ScheduleSpec::explicitAlphasCumprod(table));
        QCOMPARE(toVector(fromAbar.alphasCumprod()), table); // the table itself, bit for bit
        // β_t = 1 − ᾱ_t/ᾱ_{t−1}.
        QVERIFY(std::abs(fromAbar.betas()[0].item<double>() - 0.01) < 1e-15);
        QVERIFY(std::abs(fromAbar.betas()[2].item<double>() - (1 - 0.5 / 0.9)) < 1e-15);
        QCOMPARE(fromAbar.terminalAlphaBar(), 0.01);
    }

    void explicitTablesRoundTripThroughJson()
    {
        for (auto spec : {ScheduleSpec::explicitBetas({0.1, 0.25, 0.333}),
                          ScheduleSpec::explicitAlphasCumprod({0.9, 0.4, 1e-3})}) {
            const auto j = toJson(spec);
            QVERIFY(j.contains(spec.kind == ScheduleKind::Betas ? "betas" : "alphas_cumprod"));
            const auto back = scheduleSpecFromJson(j, "test");
            QCOMPARE(int(back.kind), int(spec.kind));
            QCOMPARE(back.values, spec.values);
            QCOMPARE(toJson(back).dump(), j.dump());
        }
        // diffusers' spellings, and T from the table when absent.
        auto s = scheduleSpecFromJson(nlohmann::json{{"kind", "alphas_cumprod"}, {"alphas_cumprod", {0.5, 0.25}}}, "f");
        QCOMPARE(int(s.kind), int(ScheduleKind::AlphasCumprod));
        QCOMPARE(s.T, 2);
        s = scheduleSpecFromJson(nlohmann::json{{"kind", "scaled_linear"}, {"T", 10}, {"beta_start", 0.001},
                                                {"beta_end", 0.01}}, "f");
        QCOMPARE(int(s.kind), int(ScheduleKind::ScaledLinear));
        auto z = zeroSnrLinear(50);
        QVERIFY(toJson(z)["rescale_zero_terminal_snr"] == true);
        QVERIFY(scheduleSpecFromJson(toJson(z), "f").rescaleZeroTerminalSnr);
        QVERIFY(!toJson(ScheduleSpec::linear()).contains("rescale_zero_terminal_snr"));
        QVERIFY(z.describe().find("zero-terminal-snr") != std::string::npos);
    }

    void zeroTerminalSnrRescaling()
    {
        Schedule plain(ScheduleSpec::linear(1000));
        Schedule s(zeroSnrLinear(1000));
        // ᾱ_T is the documented floor min(2^−24, ᾱ_{T−1}/2) (here ᾱ_{T−1} ≈ 4.2e−9), ᾱ_1 is kept.
        QCOMPARE(s.terminalAlphaBar(), std::min(std::ldexp(1.0, -24), 0.5 * s.alphaBarAt(998)));
        QVERIFY(s.alphaBarAt(998) < 1e-8);
        QVERIFY(std::abs(s.alphaBarAt(0) - plain.alphaBarAt(0)) < 1e-15);
        // √ᾱ' = a √ᾱ + b with √ᾱ'_1 = √ᾱ_1 and √ᾱ'_T = 0 (Lin et al. 2024, Alg. 1), below the floor.
        const auto root = plain.alphasCumprod().sqrt(), rootNew = s.alphasCumprod().sqrt();
        const double r1 = root[0].item<double>(), rT = root[-1].item<double>();
        const double a = r1 / (r1 - rT), b = -a * rT;
        DS_COMPARE_TENSORS(rootNew.slice(0, 0, 999), (a * root + b).slice(0, 0, 999), 1e-12);
        // β recomputed consistently, every β in (0, 1], ᾱ strictly decreasing.
        DS_COMPARE_TENSORS(at::cumprod(1.0 - s.betas(), 0), s.alphasCumprod(), 1e-12);
        QVERIFY(s.betas().min().item<double>() > 0 && s.betas().max().item<double>() <= 1);
        QVERIFY((s.alphasCumprod().diff() < 0).all().item<bool>());
        // A table that already ends at 0 is accepted only with the rescaling.
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::explicitAlphasCumprod({0.5, 0.1, 0.0})), "rescale_zero_terminal_snr");
        auto zeroEnd = ScheduleSpec::explicitAlphasCumprod({0.5, 0.1, 0.0});
        zeroEnd.rescaleZeroTerminalSnr = true;
        QCOMPARE(Schedule(zeroEnd).terminalAlphaBar(), std::ldexp(1.0, -24));
    }

    void samplersSurviveZeroTerminalSnr_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<int>("spacing");
        for (const char* name : {"ddim", "ddpm", "dpmpp-2m"})
            for (auto sp : {Spacing::Trailing, Spacing::LogSnr, Spacing::Karras})
                QTest::newRow(qPrintable(QString("%1-%2").arg(name).arg(QString::fromStdString(std::string(ds::name(sp))))))
                    << QString(name) << int(sp);
    }
    void samplersSurviveZeroTerminalSnr()
    {
        // Trailing grids start at the last index, where ᾱ = 2^−24: σ ≈ 4096, λ ≈ −16.6 stay finite.
        QFETCH(QString, sampler);
        QFETCH(int, spacing);
        const auto spec = zeroSnrLinear(1000);
        GaussianDenoiser oracle(at::full({1, 4, 4}, 0.3), at::full({1, 4, 4}, 0.2), spec);
        SamplerOptions options;
        options.steps = 20;
        options.spacing = Spacing(spacing);
        auto s = makeSampler(sampler.toStdString());
        NoiseSource noise(4);
        const auto run = runSampler(*s, oracle, initialNoise(oracle, 64, noise), options, noise);
        QVERIFY(at::isfinite(run.x).all().item<bool>());
        // The exact oracle's data are N(0.3, 0.2²): the sample mean must land near 0.3.
        QVERIFY2(std::abs(run.x.mean().item<double>() - 0.3) < 0.05, std::to_string(run.x.mean().item<double>()).c_str());
    }

    void terminalAlphaBarOfEveryKind()
    {
        Schedule linear(ScheduleSpec::linear(1000));
        QCOMPARE(linear.terminalAlphaBar(), linear.alphaBarAt(999));
        QVERIFY(linear.terminalAlphaBar() < 1e-4);
        Schedule pa(ScheduleSpec::pixelAware(200, 20, 4e-3));
        QVERIFY(std::abs(pa.terminalAlphaBar() - std::exp(-20 * 4e-3)) < 1e-15); // the darkest pixel
    }

    void badTablesAreRefused()
    {
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::explicitBetas({0.1, 0.0})), "beta[1] = 0.000000 is outside (0, 1]");
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::explicitBetas({0.1, 1.5})), "beta[1]");
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::explicitBetas({0.1, std::nan("")})), "beta[1]");
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::explicitBetas({1.0, 0.5})), "outside (0, 1]"); // ᾱ hits 0 early
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::explicitAlphasCumprod({0.5, 0.7})), "decrease strictly");
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::explicitAlphasCumprod({1.2, 0.7})), "alpha-bar[0]");
        DS_EXPECT_ERROR(Schedule(ScheduleSpec::explicitAlphasCumprod({})), "T must be");
        auto mismatch = ScheduleSpec::explicitBetas({0.1, 0.2});
        mismatch.T = 3;
        DS_EXPECT_ERROR(Schedule{mismatch}, "T = 3 but the table has 2 entries");
        DS_EXPECT_ERROR(scheduleSpecFromJson(nlohmann::json{{"kind", "betas"}, {"T", 5}, {"betas", {0.1, 0.2}}}, "f.json"),
                        "f.json: betas schedule: T = 5");
        DS_EXPECT_ERROR(scheduleSpecFromJson(nlohmann::json{{"kind", "betas"}, {"betas", {0.1, "x"}}}, "f.json"),
                        "non-number");
        DS_EXPECT_ERROR(scheduleSpecFromJson(nlohmann::json{{"kind", "alphas-cumprod"}}, "f.json"),
                        "\"alphas_cumprod\"");
        auto pa = ScheduleSpec::pixelAware();
        pa.rescaleZeroTerminalSnr = true;
        DS_EXPECT_ERROR(Schedule{pa}, "scalar schedule");
        auto one = ScheduleSpec::linear(1);
        one.rescaleZeroTerminalSnr = true;
        DS_EXPECT_ERROR(Schedule{one}, "T >= 2");
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

    // A truncated schedule (ᾱ_T well above 0) is described as such: x_T is not N(0, I).
    void truncatedSchedulesWarnAboutThePrior()
    {
        std::vector<double> betas(50, 0.01); // ᾱ_T = 0.99^50 ≈ 0.605
        Schedule truncated(ScheduleSpec::explicitBetas(betas));
        QVERIFY(std::abs(truncated.terminalAlphaBar() - std::pow(0.99, 50)) < 1e-12);
        const auto note = priorNote(truncated);
        QVERIFY2(note.find("x_T is not N(0, I)") != std::string::npos, note.c_str());
        QVERIFY(note.find("0.605") != std::string::npos);
        QVERIFY(priorNote(Schedule(ScheduleSpec::linear(1000))).empty()); // ᾱ_T ≈ 4e-5
        GaussianDenoiser model(at::zeros({1, 2, 2}), at::ones({1, 2, 2}), ScheduleSpec::explicitBetas(betas));
        QVERIFY(describeDenoiser(model).find("prior:") != std::string::npos);
    }
};

DS_TEST_SUITE(ScheduleTest, "schedule");
#include "test_schedule.moc"
