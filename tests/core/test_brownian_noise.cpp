// core/brownian_noise + NoiseSource::usePath: the shared noise path. z over any interval is
// N(0, I) (moments within standard errors), overlapping intervals correlate as
// √(overlap / (len_a · len_b)), two grids sharing an interval get the same z there, a grid
// through every index reads ξ_k itself (checked through DDPM's own loop against a replay), and
// without a path the stream is the seed's, bit for bit.
#include "core/brownian_noise.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "core/noise_source.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

namespace {

constexpr int64_t kElements = 200000; // independent draws per tensor: SE of the mean 0.0022

double correlation(const at::Tensor& a, const at::Tensor& b)
{
    auto x = a.to(at::kDouble).flatten(), y = b.to(at::kDouble).flatten();
    x = x - x.mean();
    y = y - y.mean();
    return ((x * y).sum() / (x.norm() * y.norm())).item<double>();
}

} // namespace

class BrownianNoiseTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void zOfEveryIntervalIsStandardNormal()
    {
        BrownianPath path(11);
        const double se = 1.0 / std::sqrt(double(kElements));
        for (auto [from, to] : {std::pair<int64_t, int64_t>{5, 4}, {37, 20}, {999, -1}, {3, -1}}) {
            auto z = path.interval(from, to, {kElements}).to(at::kDouble);
            const double mean = z.mean().item<double>(), var = z.var().item<double>();
            // 5 SE: mean SE = 1/√n, variance SE = √(2/n) for a normal.
            QVERIFY2(std::abs(mean) < 5 * se, qPrintable(QString("(%1, %2]: mean %3").arg(to).arg(from).arg(mean)));
            QVERIFY2(std::abs(var - 1) < 5 * std::sqrt(2.0) * se,
                     qPrintable(QString("(%1, %2]: var %3").arg(to).arg(from).arg(var)));
        }
    }

    void overlappingIntervalsCorrelateAsBrownianMotion()
    {
        BrownianPath path(2);
        const double se = 1.0 / std::sqrt(double(kElements));
        // (20, 37] inside (10, 37]: corr = 17 / √(17 · 27); disjoint (10, 20] and (20, 37]: 0.
        const auto a = path.interval(37, 20, {kElements}), b = path.interval(37, 10, {kElements});
        const auto c = path.interval(20, 10, {kElements});
        QVERIFY(std::abs(correlation(a, b) - std::sqrt(17.0 / 27.0)) < 5 * se);
        QVERIFY(std::abs(correlation(a, c)) < 5 * se);
        // The sum rule exactly: √27 z(10, 37] = √17 z(20, 37] + √10 z(10, 20].
        DS_COMPARE_TENSORS(std::sqrt(27.0) * b, std::sqrt(17.0) * a + std::sqrt(10.0) * c, 1e-4);
    }

    void gridsSharingAnIntervalDrawTheSameZThere()
    {
        auto path = std::make_shared<BrownianPath>(5);
        NoiseSource coarse(1), fine(1);
        coarse.usePath(path);
        fine.usePath(path);
        // Coarse grid 9 → 6 → 2; fine grid 9 → 8 → 6 → 2: (2, 6] is shared, in a different order.
        coarse.beginStep(9, 6);
        const auto coarseFirst = coarse.normal({2, 1, 4, 4});
        coarse.beginStep(6, 2);
        const auto coarseShared = coarse.normal({2, 1, 4, 4});
        fine.beginStep(9, 8);
        const auto fineFirst = fine.normal({2, 1, 4, 4});
        fine.beginStep(8, 6);
        fine.normal({2, 1, 4, 4});
        fine.beginStep(6, 2);
        const auto fineShared = fine.normal({2, 1, 4, 4});
        QVERIFY(at::equal(coarseShared, fineShared));
        QVERIFY(!at::equal(coarseFirst, fineFirst)); // (6, 9] vs (8, 9]: different noise
        QCOMPARE(coarse.pathDraws(), int64_t(2));
        QCOMPARE(fine.pathDraws(), int64_t(3));
    }

    void extraDrawsAndDrawsOutsideStepsComeFromTheGenerator()
    {
        auto path = std::make_shared<BrownianPath>(5);
        NoiseSource shared(7), plain(7);
        shared.usePath(path);
        QVERIFY(at::equal(shared.normal({1, 1, 3, 3}), plain.normal({1, 1, 3, 3}))); // x_T: the seed's
        shared.beginStep(4, 3);
        QVERIFY(at::equal(shared.normal({1, 1, 3, 3}), path->increment(4, {1, 1, 3, 3})));
        const auto second = shared.normal({1, 1, 3, 3}); // a second draw in the step: off the path
        QVERIFY(at::equal(second, plain.normal({1, 1, 3, 3})));
        QCOMPARE(shared.offPathDraws(), int64_t(1));
        shared.endStep();
        QVERIFY(at::equal(shared.normal({4}), plain.normal({4})));
        QCOMPARE(shared.offPathDraws(), int64_t(1)); // outside a step: not counted as off the path
        QCOMPARE(shared.draws(), int64_t(4));
    }

    void ddpmThroughEveryIndexReadsTheIncrementsThemselves()
    {
        GaussianDenoiser oracle(at::full({1, 3, 3}, 0.1), at::full({1, 3, 3}, 0.4), ScheduleSpec::linear(10));
        auto options = defaultOptions("ddpm");
        std::vector<int64_t> grid{9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        NoiseSource start(3);
        const auto xT = initialNoise(oracle, 2, start);
        auto path = std::make_shared<BrownianPath>(21);
        NoiseSource shared(3);
        shared.usePath(path);
        auto sampler = makeSampler("ddpm");
        const auto onPath = runSamplerOnGrid(*sampler, oracle, xT, options, grid, shared);
        QCOMPARE(shared.pathDraws(), int64_t(9)); // every step but the last adds noise
        QCOMPARE(shared.offPathDraws(), int64_t(0));
        // The same run fed ξ_9 … ξ_1 as recorded draws: identical samples.
        std::vector<at::Tensor> xi;
        for (int64_t k = 9; k >= 1; --k)
            xi.push_back(path->increment(k, xT.sizes()));
        auto replay = NoiseSource::replaying(xi);
        const auto replayed = runSamplerOnGrid(*makeSampler("ddpm"), oracle, xT, options, grid, replay);
        QVERIFY(at::equal(onPath.x, replayed.x));
        // A coarser grid on the same path reads the normalised sums: 9 → 5 uses z(5, 9].
        std::vector<at::Tensor> sums{path->interval(9, 5, xT.sizes()), path->interval(5, 2, xT.sizes())};
        NoiseSource coarse(3);
        coarse.usePath(path);
        auto coarseReplay = NoiseSource::replaying(sums);
        QVERIFY(at::equal(runSamplerOnGrid(*makeSampler("ddpm"), oracle, xT, options, {9, 5, 2}, coarse).x,
                          runSamplerOnGrid(*makeSampler("ddpm"), oracle, xT, options, {9, 5, 2}, coarseReplay).x));
    }

    void withoutAPathTheStreamIsTheSeeds()
    {
        GaussianDenoiser oracle(at::full({1, 3, 3}, 0.1), at::full({1, 3, 3}, 0.4), ScheduleSpec::linear(50));
        auto options = defaultOptions("ddpm");
        options.steps = 12;
        NoiseSource a(9), b(9);
        const auto xA = initialNoise(oracle, 2, a), xB = initialNoise(oracle, 2, b);
        const auto runA = runSampler(*makeSampler("ddpm"), oracle, xA, options, a);
        // b: the documented contract by hand, one generator draw per noisy step.
        auto sampler = makeSampler("ddpm");
        sampler->begin(oracle.schedule(), options);
        auto x = xB;
        for (int64_t i = 0; i < sampler->stepCount(); ++i)
            x = sampler->step(oracle, x, i, b).x;
        QVERIFY(at::equal(runA.x, x));
        QCOMPARE(a.draws(), b.draws());
        QCOMPARE(a.pathDraws(), int64_t(0));
    }

    void badIntervalsAreRefused()
    {
        BrownianPath path(1);
        DS_EXPECT_ERROR(path.interval(3, 3, {2}), "empty");
        DS_EXPECT_ERROR(path.interval(3, -2, {2}), "below -1");
        DS_EXPECT_ERROR(path.increment(-1, {2}), "negative");
    }
};

DS_TEST_SUITE(BrownianNoiseTest, "brownian_noise");
#include "test_brownian_noise.moc"
