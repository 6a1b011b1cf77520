// Picard iteration as ParaDiGMS (Shih et al. 2023) around any single-step sampler, and the
// seeds' whole-chain solvers: rounds that count every dependent call, the per-sample stopping
// rule, the sliding window's warm start, cancellation mid-solve, DNM's strides on any grid and
// Algorithm 1 driven by the exact per-pixel oracle.
#include "core/denoisers/denoiser_loader.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "models/error.h"
#include "core/samplers/dnm_sampler.h"
#include "core/samplers/picard_sampler.h"
#include "core/samplers/pixel_aware_sampler.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

namespace {

std::unique_ptr<GaussianDenoiser> gaussian(const ScheduleSpec& spec = ScheduleSpec::linear(1000))
{
    return std::make_unique<GaussianDenoiser>(at::full({1, 4, 4}, 0.2), at::full({1, 4, 4}, 0.5), spec);
}

SampleRun run(const std::string& name, const SamplerOptions& options, Denoiser& model, const at::Tensor& xT,
              uint64_t seed, const RoundObserver& rounds = {}, const StopToken* stop = nullptr)
{
    auto sampler = makeSampler(name);
    NoiseSource noise(seed);
    return runSampler(*sampler, model, xT, options, noise, {}, stop, rounds);
}

// A "network" whose DNM differential is the constant c: u(x_T, t) = c, so Σ δ = c·Σ Δt.
class ConstantDelta : public Denoiser {
public:
    explicit ConstantDelta(double c) : Denoiser(info()), c_(c) {}
    static DenoiserInfo info()
    {
        DenoiserInfo i;
        i.kind = "test";
        i.role = ModelRole::DnmDelta;
        i.source = "constant-delta";
        i.schedule = ScheduleSpec::linear(100);
        i.shape = {1, 2, 2};
        return i;
    }

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor&) override { return at::full_like(x, c_); }

private:
    double c_;
};

} // namespace

class PicardTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Defect 1: a Heun round is two dependent calls (predictor, then corrector). Kills the
    // mutation "count one sequential round per Picard round".
    void heunRoundsCountBothCalls()
    {
        auto model = gaussian();
        SamplerOptions options;
        options.steps = 20;
        options.window = 8;
        NoiseSource noise(0);
        auto xT = initialNoise(*model, 4, noise);
        auto sampler = makeSampler("picard-pf-ode");
        NoiseSource again(1);
        auto out = runSampler(*sampler, *model, xT, options, again);
        auto& picard = dynamic_cast<PicardSampler&>(*sampler);
        QVERIFY(picard.rounds() > 0);
        QCOMPARE(out.rounds, 2 * picard.rounds());
        QCOMPARE(out.usage.passes, 2 * picard.rounds()); // every round batches both calls once
    }

    // Defect 4: ParaDiGMS' rule is per sample: one sample far out in the tails converges late,
    // and a rule pooled over the batch (or over pixels in data units) would accept its steps
    // early. With window < steps, every sample must match the sequential chain.
    void everySampleConvergesWithASlidingWindow_data()
    {
        QTest::addColumn<QString>("picard");
        QTest::addColumn<QString>("sequential");
        QTest::newRow("ddpm") << "picard-ddpm" << "ddpm";
        QTest::newRow("ddim") << "picard-ddim" << "ddim";
        QTest::newRow("pf-ode") << "picard-pf-ode" << "pf-ode-heun";
        QTest::newRow("euler-sde") << "picard-euler-sde" << "euler-sde";
    }
    void everySampleConvergesWithASlidingWindow()
    {
        QFETCH(QString, picard);
        QFETCH(QString, sequential);
        auto model = gaussian();
        SamplerOptions options;
        options.steps = 64;
        options.window = 16;
        options.tolerance = 1e-3;
        NoiseSource start(3);
        auto xT = initialNoise(*model, 16, start);
        xT[5] *= 25.0; // the late one
        auto exact = run(sequential.toStdString(), options, *model, xT, 11);
        auto parallel = run(picard.toStdString(), options, *model, xT, 11);
        auto perSample = (parallel.x - exact.x).abs().reshape({16, -1}).amax(1);
        qInfo("%s: %lld sequential calls for %lld steps; worst sample %.2e, the late one %.2e", qPrintable(picard),
              static_cast<long long>(parallel.rounds), static_cast<long long>(options.steps),
              perSample.max().item<double>(), perSample[5].item<double>());
        QVERIFY2(perSample.max().item<double>() < 2e-3, qPrintable(QString::number(perSample.max().item<double>())));
        QVERIFY(parallel.rounds < exact.rounds);
    }

    // Defect 4: positions entering the window start from the newest state of the window.
    void enteringPositionsStartFromTheNewestState()
    {
        auto model = gaussian();
        SamplerOptions options;
        options.steps = 40;
        options.window = 8;
        NoiseSource start(2);
        auto xT = initialNoise(*model, 3, start);
        int checked = 0;
        auto observer = [&](const SolveRound& r) {
            const int64_t nextEnd = std::min<int64_t>(r.accepted + options.window, options.steps);
            for (int64_t j = r.windowEnd + 1; j <= nextEnd; ++j) {
                if (!at::equal((*r.states)[size_t(j)], (*r.states)[size_t(r.windowEnd)]))
                    return false;
                ++checked;
            }
            return true;
        };
        auto out = run("picard-ddim", options, *model, xT, 4, observer);
        QVERIFY(!out.cancelled);
        QVERIFY(checked > 0);
    }

    // Whole-chain solves report each round and stop mid-solve when asked.
    void roundsAreObservedAndTheSolveCancels()
    {
        auto model = gaussian();
        SamplerOptions options;
        options.steps = 50;
        options.window = 5;
        NoiseSource start(2);
        auto xT = initialNoise(*model, 2, start);
        StopToken stop;
        int64_t seen = 0;
        bool sizesMatch = true;
        auto out = run("picard-ddpm", options, *model, xT, 4, [&](const SolveRound& r) {
            seen = r.round;
            sizesMatch = sizesMatch && int64_t(r.residuals.size()) == r.windowEnd - r.windowBegin;
            if (r.round == 3)
                stop.requestStop();
            return true;
        }, &stop);
        QVERIFY(out.cancelled);
        QVERIFY(sizesMatch);
        QCOMPARE(seen, int64_t(3));
        QCOMPARE(out.completedSteps, 0);
    }

    // Defect 3: every grid's strides sum to the whole chain, so with u ≡ c the sample is
    // x_T − c on leading, trailing and log-SNR grids alike. Kills "x_T sits one index above
    // the first grid point".
    void dnmStridesCoverTheWholeChain_data()
    {
        QTest::addColumn<int>("spacing");
        for (auto s : {Spacing::Leading, Spacing::Trailing, Spacing::LogSnr, Spacing::Linspace})
            QTest::newRow(std::string(name(s)).c_str()) << int(s);
    }
    void dnmStridesCoverTheWholeChain()
    {
        QFETCH(int, spacing);
        ConstantDelta model(0.7);
        SamplerOptions options;
        options.steps = 7;
        options.spacing = Spacing(spacing);
        options.sigmaScale = 0;
        auto xT = at::randn({2, 1, 2, 2});
        auto out = run("dnm", options, model, xT, 0);
        DS_COMPARE_TENSORS(out.x, xT - 0.7, 1e-5);
    }

    // Defect 5 and seed 002 on a real forward chain: line 9 with Z^j = (x_j − √ᾱ_j x0)/√(1−ᾱ_j)
    // is the posterior mean μ̃(x_j, x0) of Ho eq. 7 (per-pixel ᾱ), and the recurrence from a
    // real x_i with the true x0 lands on x0 (β̃_1 = 0).
    void algorithmOneOnARealForwardChain()
    {
        const int64_t T = 200, i = 120;
        Schedule schedule(ScheduleSpec::pixelAware(T, 20, 4e-3), DataRange{4e-3, 1});
        auto x0 = at::rand({2, 1, 5, 5}, at::kDouble) * (1 - 4e-3) + 4e-3;
        auto rate = schedule.pixelRate(x0).to(at::kDouble);
        auto alpha = at::exp(-rate);
        std::vector<at::Tensor> chain{x0}; // x_j = √α x_{j−1} + √(1−α) ε_j
        for (int64_t j = 1; j <= i; ++j)
            chain.push_back(at::sqrt(alpha) * chain.back() + at::sqrt(1 - alpha) * at::randn_like(x0));
        const int64_t j = 37;
        auto abar = at::exp(-rate * double(j)), abarPrev = at::exp(-rate * double(j - 1));
        auto Zj = (chain[size_t(j)] - at::sqrt(abar) * x0) / at::sqrt(1 - abar);
        auto Z = at::zeros({2, j, 1, 5, 5}, at::kDouble);
        Z.select(1, j - 1).copy_(Zj);
        auto eps = at::randn_like(x0);
        auto step = pixelAwareReverse(chain[size_t(j)], rate, Z.narrow(1, 0, j), [&](int64_t) { return eps; });
        auto beta = 1 - alpha;
        auto mu = at::sqrt(abarPrev) * beta / (1 - abar) * x0 + at::sqrt(alpha) * (1 - abarPrev) / (1 - abar) * chain[size_t(j)];
        auto betaTilde = (1 - abarPrev) / (1 - abar) * beta;
        DS_COMPARE_TENSORS(step[1], mu + at::sqrt(betaTilde) * eps, 1e-10);
        auto path = pixelAwareReverseTo(chain[size_t(i)], rate, x0, i, [&](int64_t) { return at::randn_like(x0); });
        DS_COMPARE_TENSORS(path.back(), x0, 1e-9);
    }

    // Defect 5: the exact per-pixel oracle drives the pixel-aware sampler. Over one image its
    // x̂0 is that image, so Algorithm 1 returns it from a forward-diffused start and from noise.
    void pixelAwareSamplerRunsOnTheExactOracle()
    {
        auto oracle = openDenoiser("oracle:fashion-mnist?n=1&schedule=pixel-aware&T=200");
        auto image = openDenoiser("oracle:fashion-mnist?n=1&schedule=pixel-aware&T=200");
        SamplerOptions options;
        options.steps = 200;
        NoiseSource noise(5);
        auto xT = initialNoise(*oracle, 2, noise);
        auto sampler = makeSampler("pixel-aware");
        auto out = runSampler(*sampler, *oracle, xT, options, noise);
        QCOMPARE(out.rounds, 2);
        auto target = image->estimate(xT, 10).x0; // the only training image, whatever the input
        DS_COMPARE_TENSORS(out.x, target, 1e-4);
        auto ddim = makeSampler("ddim");
        DS_EXPECT_ERROR(runSampler(*ddim, *oracle, xT, options, noise), "needs a scalar schedule");
    }
};

DS_TEST_SUITE(PicardTest, "picard");
#include "test_picard.moc"
