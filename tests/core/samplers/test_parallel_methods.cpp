// The seeds' parallel methods: the DNM prefix sum, its determinism and seeding; Algorithm 1's
// the masked loss (Algorithm 1 on a real forward chain: test_picard.cpp) of eq. 15; and that
// models go only to samplers that can use them.
#include "core/denoisers/gaussian_denoiser.h"
#include "core/denoisers/network_denoiser.h"
#include "models/error.h"
#include "core/forward_process.h"
#include "core/samplers/dnm_sampler.h"
#include "core/samplers/pixel_aware_sampler.h"
#include "core/samplers/sampler_registry.h"
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
        DS_EXPECT_ERROR(requireCompatible(*ddim, *dnm), "use dnm");
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
