// Forks on the Gaussian oracle: a fork with the parent's own options reproduces it exactly
// (its noise is the parent's stream continued), and a DDIM η = 0 → η = 1 fork agrees with its
// parent up to the fork and drifts only after it.
#include "core/denoisers/gaussian_denoiser.h"
#include "core/instruments/fork.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

using namespace ds;

namespace {

GaussianDenoiser oracle() { return GaussianDenoiser(at::full({1, 4, 4}, 0.1), at::full({1, 4, 4}, 0.3), ScheduleSpec::linear(1000)); }

RecordedRun parentRun(Denoiser& model, const std::string& sampler, SamplerOptions options, uint64_t seed)
{
    NoiseSource noise(seed);
    auto xT = initialNoise(model, 3, noise);
    return recordRun(model, sampler, options, seed, xT, noise.draws());
}

} // namespace

class ForkTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identicalOptionsHaveZeroDrift()
    {
        auto model = oracle();
        auto options = defaultOptions("ddpm");
        options.steps = 12;
        auto parent = parentRun(model, "ddpm", options, 9);
        // The recorded parent is the plain run: the same seed gives the same samples.
        NoiseSource noise(9);
        auto sampler = makeSampler("ddpm");
        auto plain = runSampler(*sampler, model, initialNoise(model, 3, noise), options, noise);
        QVERIFY(at::equal(parent.trajectory.frame(12), plain.x.to(at::kFloat)));
        for (int64_t k : {0, 5, 11}) {
            auto fork = forkAt(model, parent, k, "ddpm", options);
            QCOMPARE(fork.run.grid, parent.grid);
            QCOMPARE(fork.drift.size(0), int64_t(13));
            QCOMPARE(fork.drift.abs().max().item<double>(), 0.0);
        }
    }

    void etaForkDriftsOnlyAfterTheFork()
    {
        auto model = oracle();
        auto options = defaultOptions("ddim");
        options.steps = 10;
        auto parent = parentRun(model, "ddim", options, 4);
        auto noisy = options;
        noisy.eta = 1.0;
        const int64_t k = 6;
        auto fork = forkAt(model, parent, k, "ddim", noisy);
        for (int64_t i = 0; i <= k; ++i)
            QCOMPARE(fork.drift[i].item<double>(), 0.0);
        for (int64_t i = k + 1; i < fork.drift.size(0); ++i)
            QVERIFY2(fork.drift[i].item<double>() > 1e-3, qPrintable(QString::number(fork.drift[i].item<double>())));
        // x̂0 is stored with the frame it was computed from: the fork's x̂0 differs from the
        // parent's only from frame k on (step k already reads the fork's options).
        QCOMPARE(fork.driftX0[0].item<double>(), 0.0);
        QVERIFY(std::isnan(fork.driftX0[fork.driftX0.size(0) - 1].item<double>())); // the sample has no x̂0 of its own
        // The deterministic parent drew only x_T; the η = 1 fork draws after step k.
        QCOMPARE(parent.drawsAfter.back(), int64_t(1));
        QVERIFY(fork.run.drawsAfter.back() > 1);
    }

    void forkWithMoreStepsContinuesBelowTheForkIndex()
    {
        auto model = oracle();
        auto options = defaultOptions("ddim");
        options.steps = 8;
        auto parent = parentRun(model, "ddim", options, 1);
        auto finer = options;
        finer.steps = 40;
        auto fork = forkAt(model, parent, 3, "ddim", finer);
        QCOMPARE(fork.run.grid[3], parent.grid[3]);
        for (size_t i = 1; i < fork.run.grid.size(); ++i)
            QVERIFY(fork.run.grid[i] < fork.run.grid[i - 1]);
        QVERIFY(fork.run.grid.size() > parent.grid.size());
        QCOMPARE(fork.t.back(), int64_t(0));
        // Both end on samples of the same flow from the same state: close, but not equal.
        const double end = fork.drift[fork.drift.size(0) - 1].item<double>();
        QVERIFY(end > 0 && end < 0.2);
        DS_EXPECT_ERROR(forkAt(model, parent, 8, "ddim", finer), "outside the parent's steps");
        DS_EXPECT_ERROR(forkAt(model, parent, -1, "ddim", finer), "outside the parent's steps");
    }
};

DS_TEST_SUITE(ForkTest, "fork");
#include "test_fork.moc"
