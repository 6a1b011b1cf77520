// Every sampler on the exact Gaussian denoiser: data N(μ = 0.2, s = 0.5) per pixel, so the
// samples must come out with mean 0.2 and standard deviation 0.5.
//
// Tolerances. Statistics: 2000 samples × 64 pixels = 128 000 values, so the standard error is
// s/√n = 0.0014 on the mean and s/√(2n) = 0.2% on the std; 5 standard errors give 0.007 and
// 1%. Discretisation: each sampler adds its own bias, which shrinks with the step count (the
// convergence test below checks that); measured on this set-up (docs/benchmarks.md) it is
// e.g. −1.1% for DDPM-1000 with β̃ (β̃ under-estimates the reverse variance, seed 003), −4.3%
// for DDIM-50, +2.0% for DPM-Solver++(2M)-20. Each row allows its measured bias × 1.5 + 1%.
#include "core/denoisers/gaussian_denoiser.h"
#include "models/error.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

namespace {

constexpr double kMean = 0.2, kStd = 0.5;

std::unique_ptr<GaussianDenoiser> gaussianOracle(const ScheduleSpec& spec = ScheduleSpec::linear(1000))
{
    return std::make_unique<GaussianDenoiser>(at::full({1, 8, 8}, kMean), at::full({1, 8, 8}, kStd), spec);
}

SampleRun sample(const std::string& samplerName, SamplerOptions options, uint64_t seed, int64_t n,
                 Denoiser& denoiser, const StepObserver& observer = {}, const StopToken* stop = nullptr)
{
    auto sampler = makeSampler(samplerName);
    NoiseSource noise(seed);
    auto xT = initialNoise(denoiser, n, noise);
    return runSampler(*sampler, denoiser, xT, options, noise, observer, stop);
}

} // namespace

class SamplersTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gaussianMomentsAreRecovered_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<int>("steps");
        QTest::addColumn<double>("eta");
        QTest::addColumn<int>("sigma");
        QTest::addColumn<double>("meanTol");
        QTest::addColumn<double>("stdTol"); // relative
        const int small = int(SigmaMode::Small), large = int(SigmaMode::Large);
        QTest::newRow("ddpm-1000-small") << "ddpm" << 1000 << 0.0 << small << 0.01 << 0.02;
        QTest::newRow("ddpm-1000-large") << "ddpm" << 1000 << 0.0 << large << 0.01 << 0.02;
        QTest::newRow("ddpm-100-small") << "ddpm" << 100 << 0.0 << small << 0.01 << 0.08;
        QTest::newRow("ddim-50") << "ddim" << 50 << 0.0 << small << 0.01 << 0.075;
        QTest::newRow("ddim-200") << "ddim" << 200 << 0.0 << small << 0.01 << 0.02;
        QTest::newRow("ddim-50-eta1") << "ddim" << 50 << 1.0 << small << 0.01 << 0.15;
        QTest::newRow("dpmpp-2m-20") << "dpmpp-2m" << 20 << 0.0 << small << 0.01 << 0.04;
        QTest::newRow("dpmpp-2m-50") << "dpmpp-2m" << 50 << 0.0 << small << 0.01 << 0.02;
        QTest::newRow("euler-sde-200") << "euler-sde" << 200 << 0.0 << small << 0.01 << 0.03;
        QTest::newRow("euler-sde-1000") << "euler-sde" << 1000 << 0.0 << small << 0.01 << 0.015;
        QTest::newRow("pf-ode-heun-25") << "pf-ode-heun" << 25 << 0.0 << small << 0.01 << 0.055;
        QTest::newRow("pf-ode-heun-50") << "pf-ode-heun" << 50 << 0.0 << small << 0.01 << 0.025;
    }
    void gaussianMomentsAreRecovered()
    {
        QFETCH(QString, sampler);
        QFETCH(int, steps);
        QFETCH(double, eta);
        QFETCH(int, sigma);
        QFETCH(double, meanTol);
        QFETCH(double, stdTol);
        auto oracle = gaussianOracle();
        SamplerOptions options;
        options.steps = steps;
        options.eta = eta;
        options.sigma = SigmaMode(sigma);
        auto run = sample(sampler.toStdString(), options, 42, 2000, *oracle);
        const double mean = run.x.mean().item<double>(), std = run.x.std().item<double>();
        qInfo("%s: mean %.5f std %.5f (%.2f%%)", qPrintable(sampler), mean, std, 100 * (std / kStd - 1));
        QVERIFY2(std::abs(mean - kMean) < meanTol, qPrintable(QString("mean %1").arg(mean)));
        QVERIFY2(std::abs(std / kStd - 1) < stdTol, qPrintable(QString("std %1").arg(std)));
    }

    void deterministicSamplersConvergeWithSteps()
    {
        // The ODE discretisations are consistent: 10× more steps, a smaller std error.
        auto oracle = gaussianOracle();
        for (const char* name : {"ddim", "dpmpp-2m", "pf-ode-heun"}) {
            double error[2];
            int i = 0;
            for (int steps : {20, 200}) {
                SamplerOptions options;
                options.steps = steps;
                auto x = sample(name, options, 5, 500, *oracle).x;
                error[i++] = std::abs(x.std().item<double>() / kStd - 1);
            }
            QVERIFY2(error[1] < error[0] / 3, qPrintable(QString("%1: %2 -> %3").arg(name).arg(error[0]).arg(error[1])));
        }
    }

    void picardMatchesTheSequentialSampler_data()
    {
        QTest::addColumn<QString>("picard");
        QTest::addColumn<QString>("sequential");
        QTest::addColumn<double>("eta");
        QTest::newRow("ddpm") << "picard-ddpm" << "ddpm" << 0.0;
        QTest::newRow("ddim") << "picard-ddim" << "ddim" << 0.0;
        QTest::newRow("ddim eta 0.5") << "picard-ddim" << "ddim" << 0.5;
        QTest::newRow("pf-ode") << "picard-pf-ode" << "pf-ode-heun" << 0.0;
    }
    void picardMatchesTheSequentialSampler()
    {
        // Same seed, same draws: the fixed point is the sequential chain. With a tolerance of
        // 1e-5 on the RMS change, the results agree to ~1e-4 while taking fewer rounds.
        QFETCH(QString, picard);
        QFETCH(QString, sequential);
        QFETCH(double, eta);
        auto oracle = gaussianOracle();
        SamplerOptions options;
        options.steps = 100;
        options.eta = eta;
        options.window = 100;
        options.tolerance = 1e-5;
        auto exact = sample(sequential.toStdString(), options, 9, 16, *oracle);
        auto parallel = sample(picard.toStdString(), options, 9, 16, *oracle);
        qInfo("%s: %lld rounds for %lld steps, %lld network passes", qPrintable(picard),
              static_cast<long long>(parallel.rounds), static_cast<long long>(options.steps),
              static_cast<long long>(parallel.usage.passes));
        DS_COMPARE_TENSORS(parallel.x, exact.x, 1e-3);
        QVERIFY(ds::test::maxAbsDiff(parallel.x, exact.x) < 1e-3);
        QVERIFY2(parallel.rounds < exact.rounds, qPrintable(QString("%1 vs %2").arg(parallel.rounds).arg(exact.rounds)));
    }

    void seededRunsAreBitReproducible()
    {
        auto oracle = gaussianOracle();
        for (const auto& entry : samplerRegistry()) {
            if (entry.make()->role() != ModelRole::Denoiser)
                continue; // dnm and pixel-aware have their own tests
            SamplerOptions options;
            options.steps = 20;
            options.eta = 0.5;
            auto a = sample(std::string(entry.name), options, 7, 4, *oracle).x;
            auto b = sample(std::string(entry.name), options, 7, 4, *oracle).x;
            auto c = sample(std::string(entry.name), options, 8, 4, *oracle).x;
            QVERIFY2(at::equal(a, b), entry.name.data());
            QVERIFY2(!at::equal(a, c), entry.name.data());
        }
    }

    void ddimWithEtaOneIsDdpm()
    {
        // With σ² = β̃ on the same grid, DDIM's update √ᾱ' x̂0 + √(1−ᾱ'−σ²) ε̂ + σz equals the
        // DDPM posterior mean plus σz (Song et al. 2021, §4.1), draw for draw.
        auto oracle = gaussianOracle();
        SamplerOptions options;
        options.steps = 25;
        options.eta = 1.0;
        auto ddim = sample("ddim", options, 3, 8, *oracle).x;
        auto ddpm = sample("ddpm", options, 3, 8, *oracle).x;
        DS_COMPARE_TENSORS(ddim, ddpm, 1e-4);
    }

    void noiseIsDrawnInDocumentedOrder()
    {
        // x_T first, then one draw per step that adds noise (none on the final step).
        auto oracle = gaussianOracle();
        SamplerOptions options;
        options.steps = 10;
        auto sampler = makeSampler("ddpm");
        NoiseSource noise(1);
        auto xT = initialNoise(*oracle, 2, noise);
        runSampler(*sampler, *oracle, xT, options, noise);
        QCOMPARE(noise.draws(), 1 + 9);
        options.sigmaScale = 0; // the mean path draws nothing
        NoiseSource quiet(1);
        runSampler(*sampler, *oracle, initialNoise(*oracle, 2, quiet), options, quiet);
        QCOMPARE(quiet.draws(), 1);
    }

    void networkPassesAreCounted()
    {
        auto oracle = gaussianOracle();
        SamplerOptions options;
        options.steps = 10;
        QCOMPARE(sample("ddim", options, 1, 2, *oracle).usage.passes, 10);
        QCOMPARE(sample("pf-ode-heun", options, 1, 2, *oracle).usage.passes, 19); // 2n − 1
    }

    void observerAndStopTokenEndRuns()
    {
        auto oracle = gaussianOracle();
        SamplerOptions options;
        options.steps = 30;
        int64_t seen = 0;
        auto run = sample("ddim", options, 1, 2, *oracle, [&](const StepEvent& e) {
            seen = e.step;
            return e.step < 5;
        });
        QCOMPARE(seen, 5);
        QCOMPARE(run.completedSteps, 5);
        QVERIFY(run.cancelled);
        StopToken stop;
        stop.requestStop();
        auto stopped = sample("ddpm", options, 1, 2, *oracle, {}, &stop);
        QCOMPARE(stopped.completedSteps, 0);
        QVERIFY(stopped.cancelled);
    }

    void observerSeesDecreasingTimesEndingAtZero()
    {
        auto oracle = gaussianOracle();
        SamplerOptions options;
        options.steps = 4;
        options.spacing = Spacing::Trailing;
        std::vector<int64_t> ts;
        sample("dpmpp-2m", options, 1, 1, *oracle, [&](const StepEvent& e) {
            ts.push_back(e.t);
            return true;
        });
        QCOMPARE(ts, (std::vector<int64_t>{750, 500, 250, 0}));
    }

    void badOptionsAreRejected()
    {
        auto oracle = gaussianOracle();
        SamplerOptions options;
        options.steps = 0;
        DS_EXPECT_ERROR(sample("ddim", options, 1, 1, *oracle), "steps must be >= 1");
        options.steps = 1001;
        DS_EXPECT_ERROR(sample("ddim", options, 1, 1, *oracle), "cannot exceed");
        DS_EXPECT_ERROR(makeSampler("no-such-sampler"), "unknown sampler 'no-such-sampler'");
        NoiseSource noise(1);
        auto sampler = makeSampler("ddim");
        DS_EXPECT_ERROR(runSampler(*sampler, *oracle, at::zeros({1, 1, 4, 4}), {}, noise), "initial x_T must be");
    }

    // The measured default grids (sampler_registry.cpp, docs/benchmarks.md): on the linear schedule
    // the exact table's choice, trailing for the multistep solvers (the trained models' choice); on
    // cosine leading for every stepwise sampler, since the grids that start at k = T − 1 failed on a
    // trained cosine model. Picard entries take their base's grid.
    void defaultGridsFollowTheSchedule()
    {
        const auto linear = ScheduleSpec::linear(), cosine = ScheduleSpec::cosine();
        for (const char* name : {"dpmpp-2m", "dpmpp-3m", "unipc", "dpmpp-2m-sde"})
            QVERIFY2(defaultOptions(name, linear).spacing == Spacing::Trailing, name);
        QCOMPARE(int(defaultOptions("euler-sde", linear).spacing), int(Spacing::Trailing));
        QCOMPARE(int(defaultOptions("pf-ode-heun", linear).spacing), int(Spacing::Trailing));
        QCOMPARE(int(defaultOptions("ddim", linear).spacing), int(Spacing::Leading));
        QCOMPARE(int(defaultOptions("picard-ddim", linear).spacing), int(Spacing::Leading));
        for (const char* name : {"ddpm", "ddim", "dpmpp-2m", "euler-sde", "pf-ode-heun", "euler", "euler-ancestral",
                                 "edm-heun", "dpmpp-2m-sde", "dpmpp-3m", "unipc", "picard-pf-ode"})
            QVERIFY2(defaultOptions(name, cosine).spacing == Spacing::Leading, name);
    }
};

DS_TEST_SUITE(SamplersTest, "samplers");
#include "test_samplers.moc"
