// The seeds' parallel methods: the DNM prefix sum, its determinism and seeding; Algorithm 1's
// exact reconstruction from the true scale and noises; the masked loss of eq. 15; and that
// models go only to samplers that can use them.
#include "core/error.h"
#include "core/forward_process.h"
#include "core/gaussian_denoiser.h"
#include "core/network_denoiser.h"
#include "core/sampler_registry.h"
#include "core/samplers/dnm_sampler.h"
#include "core/samplers/pixel_aware_sampler.h"
#include "core/training/objectives.h"
#include "core/training/training_job.h"
#include "models/registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>

using namespace ds;

namespace {

std::unique_ptr<NetworkDenoiser> dnmModel()
{
    auto net = buildNetwork({{"kind", "unet"}, {"channels", 1}, {"image_size", 8}, {"base_channels", 8},
                             {"multipliers", {1, 2}}, {"attention_resolutions", nlohmann::json::array()}});
    DenoiserInfo info;
    info.kind = "native:unet";
    info.role = ModelRole::DnmDelta;
    info.source = "test-dnm";
    info.schedule = ScheduleSpec::linear(100);
    info.shape = {1, 8, 8};
    return std::make_unique<NetworkDenoiser>(net, info);
}

SampleRun runDnm(Denoiser& model, double s, uint64_t seed, int64_t steps = 10)
{
    auto sampler = makeSampler("dnm");
    SamplerOptions options;
    options.steps = steps;
    options.sigmaScale = s;
    NoiseSource noise(seed);
    return runSampler(*sampler, model, initialNoise(model, 3, noise), options, noise);
}

} // namespace

class ParallelMethodsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dnmPrefixSumEqualsStepByStep()
    {
        auto xT = at::randn({2, 1, 4, 4}, at::kDouble);
        auto deltas = at::randn({7, 2, 1, 4, 4}, at::kDouble) * 0.1;
        auto noiseTerms = at::randn({7, 2, 1, 4, 4}, at::kDouble) * 0.05;
        auto states = dnmTrajectory(xT, deltas, noiseTerms);
        auto x = xT;
        for (int64_t k = 0; k < 7; ++k) { // x_{t−1} = x_t − δ̂_t − σ_t z_t
            x = x - deltas[k] - noiseTerms[k];
            DS_COMPARE_TENSORS(states[size_t(k + 1)], x, 1e-12);
        }
    }

    void dnmIsOneBatchedPassAndDeterministicAtZeroNoise()
    {
        auto model = dnmModel();
        auto a = runDnm(*model, 0.0, 1), b = runDnm(*model, 0.0, 1);
        QCOMPARE(a.usage.passes, 1);
        QCOMPARE(a.usage.samples, 3 * 10); // every grid point of every sample in one call
        QVERIFY(at::equal(a.x, b.x));
        // s = 0: the result depends on x_T only — the same x_T through --init gives the same sample.
        auto sampler = makeSampler("dnm");
        SamplerOptions options;
        options.steps = 10;
        options.sigmaScale = 0;
        NoiseSource first(1), other(99);
        auto xT = initialNoise(*model, 3, first);
        auto again = runSampler(*sampler, *model, xT, options, other);
        DS_COMPARE_TENSORS(again.x, a.x, 0);
        QCOMPARE(other.draws(), 0);
    }

    void dnmNoiseIsSeeded()
    {
        auto model = dnmModel();
        auto a = runDnm(*model, 0.5, 4), b = runDnm(*model, 0.5, 4), c = runDnm(*model, 0.5, 5);
        QVERIFY(at::equal(a.x, b.x));
        QVERIFY(!at::equal(a.x, c.x));
    }

    void algorithmOneReconstructsFromTrueScaleAndNoises()
    {
        // One pixel-aware forward chain from x0. With the true rates (from x_δ = e^{−γ x̃0}),
        // Z^j = ε̃_j = (x_j − √ᾱ_j x0)/√(1−ᾱ_j) and ε_j the chain's own posterior residual
        // (x_{j−1} − μ̃_j)/√β̃_j, line 9 lands on x_{j−1} at every step, hence on x0.
        const int64_t T = 200, i = 150;
        Schedule schedule(ScheduleSpec::pixelAware(T, 20, 4e-3), DataRange{4e-3, 1});
        auto x0 = (at::rand({2, 1, 5, 5}, at::kDouble) * (1 - 4e-3) + 4e-3);
        auto scale = at::exp(-20.0 * schedule.rescaledData(x0).to(at::kDouble));
        auto rate = -at::log(scale) / double(T);
        auto alpha = at::exp(-rate);
        std::vector<at::Tensor> chain{x0};
        for (int64_t j = 1; j <= i; ++j)
            chain.push_back(at::sqrt(alpha) * chain.back() + at::sqrt(1 - alpha) * at::randn_like(x0));
        std::vector<at::Tensor> Z;
        for (int64_t j = 1; j <= i; ++j) {
            auto abar = at::exp(-rate * double(j));
            Z.push_back((chain[size_t(j)] - at::sqrt(abar) * x0) / at::sqrt(1 - abar));
        }
        auto residual = [&](int64_t j) {
            auto abar = at::exp(-rate * double(j)), abarPrev = at::exp(-rate * double(j - 1));
            auto mean = (chain[size_t(j)] - (1 - alpha) / at::sqrt(1 - abar) * Z[size_t(j - 1)]) / at::sqrt(alpha);
            auto betaTilde = (1 - abarPrev) / (1 - abar) * (1 - alpha);
            return (chain[size_t(j - 1)] - mean) / at::sqrt(betaTilde);
        };
        auto states = pixelAwareReverse(chain[size_t(i)], rate, at::stack(Z, 1), residual);
        QCOMPARE(int64_t(states.size()), i + 1);
        DS_COMPARE_TENSORS(states.back(), x0, 1e-4);
        DS_COMPARE_TENSORS(states[size_t(i / 2)], chain[size_t(i - i / 2)], 1e-4);
    }

    void maskedLossIgnoresBlocksAtAndAfterTheStart()
    {
        // Block k holds Z^{k+1}: for start i the loss counts k < i (j ≤ i) and ignores k ≥ i.
        auto targets = at::randn({2, 6, 1, 3, 3});
        auto i = at::tensor({2L, 4L});
        auto Z = targets.clone();
        Z.index({0, at::indexing::Slice(2, at::indexing::None)}) += 100.0; // garbage where ignored
        Z.index({1, at::indexing::Slice(4, at::indexing::None)}) += 100.0;
        QCOMPARE(maskedReverseLoss(Z, targets, i).item<double>(), 0.0);
        Z.index({1, 3}) += 1.0; // block 3 < 4 counts: mean over 2 + 4 blocks of 9 values
        QVERIFY(std::abs(maskedReverseLoss(Z, targets, i).item<double>() - 9.0 / (6 * 9)) < 1e-6);
    }

    void modelsGoOnlyToSamplersThatCanUseThem()
    {
        auto dnm = dnmModel();
        auto ddim = makeSampler("ddim");
        DS_EXPECT_ERROR(requireCompatible(*ddim, *dnm), "is a dnm model, which the ddim sampler cannot use");
        DS_EXPECT_ERROR(requireCompatible(*ddim, *dnm), "use --sampler dnm");
        GaussianDenoiser gaussian(at::zeros({1, 2, 2}), at::ones({1, 2, 2}), ScheduleSpec::linear(100));
        DS_EXPECT_ERROR(requireCompatible(*makeSampler("dnm"), gaussian), "needs a dnm model");
        DS_EXPECT_ERROR(requireCompatible(*makeSampler("pixel-aware"), gaussian), "needs a pixel-aware model");
    }

    void pixelAwareTrainingRunsAndSamples()
    {
        // A few steps of the joint G/R objective on a tiny net, then Algorithm 1 from noise
        // and from a forward-diffused image: shapes, finiteness, two network passes.
        QTemporaryDir dir;
        auto config = presetTrainingConfig("fashion-mnist-pixel-aware");
        config.datasetLimit = 64;
        config.schedule = ScheduleSpec::pixelAware(20, 20, 4e-3);
        config.network = {{"kind", "pixel-aware"},
                          {"scale", {{"base_channels", 8}, {"multipliers", {1}}, {"attention_resolutions", nlohmann::json::array()}}},
                          {"reverse", {{"base_channels", 8}, {"multipliers", {1}}, {"attention_resolutions", nlohmann::json::array()}}}};
        config.steps = 3;
        config.batch = 8;
        config.previewEvery = 0;
        config.outputDir = dir.path().toStdString();
        TrainingJob job(config);
        auto outcome = job.run();
        QVERIFY2(outcome.status == TrainingStatus::Finished, outcome.message.c_str());
        auto model = NetworkDenoiser::open(outcome.checkpoint);
        QCOMPARE(int(model->info().role), int(ModelRole::PixelAware));
        auto sampler = makeSampler("pixel-aware");
        SamplerOptions options;
        options.steps = 20;
        NoiseSource noise(1);
        auto run = runSampler(*sampler, *model, initialNoise(*model, 4, noise), options, noise);
        QCOMPARE(run.usage.passes, 2);
        QCOMPARE(run.completedSteps, 20);
        QVERIFY(at::isfinite(run.x).all().item<bool>());
    }
};

DS_TEST_SUITE(ParallelMethodsTest, "parallel_methods");
#include "test_parallel_methods.moc"
