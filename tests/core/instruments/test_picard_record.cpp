// The Picard residual record on the Gaussian oracle: its matrix matches the run's windows, a
// re-read at the run's own τ gives the run's acceptance and sample, and looser τ' accept no
// later.
#include "core/denoisers/gaussian_denoiser.h"
#include "core/instruments/picard_record.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

using namespace ds;

namespace {

struct Recorded {
    PicardRecord record;
    at::Tensor sample, sequential;
};

Recorded picardRun(double tolerance)
{
    GaussianDenoiser model(at::full({1, 4, 4}, 0.1), at::full({1, 4, 4}, 0.3), ScheduleSpec::linear(1000));
    auto options = defaultOptions("picard-ddim");
    options.steps = 24;
    options.window = 8;
    options.tolerance = tolerance;
    NoiseSource noise(3);
    auto xT = initialNoise(model, 2, noise);
    PicardRecorder recorder(options.steps, tolerance);
    auto sampler = makeSampler("picard-ddim");
    auto run = runSampler(*sampler, model, xT, options, noise, {}, nullptr, recorder.observer());
    auto sequentialSampler = makeSampler("ddim");
    NoiseSource unused(0);
    auto sequential = runSampler(*sequentialSampler, model, xT, options, unused);
    return {recorder.record(), run.x, sequential.x};
}

} // namespace

class PicardRecordTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matrixFollowsTheWindows()
    {
        auto r = picardRun(1e-3);
        const auto& rec = r.record;
        const auto rounds = int64_t(rec.windowBegin.size());
        QCOMPARE(rec.residuals.sizes(), (at::IntArrayRef{rounds, 24}));
        QVERIFY(rounds > 3 && rounds < 24 * 8);
        for (int64_t i = 0; i < rounds; ++i)
            for (int64_t j = 0; j < 24; ++j) {
                const bool inside = j >= rec.windowBegin[size_t(i)] && j < rec.windowEnd[size_t(i)];
                QCOMPARE(bool(std::isnan(rec.residuals[i][j].item<double>())), !inside);
            }
        QCOMPARE(rec.accepted.back(), int64_t(24));
        QCOMPARE(rec.windowEnd.front(), int64_t(8));
    }

    void runToleranceReproducesTheRun()
    {
        auto r = picardRun(1e-3);
        const auto rounds = acceptanceRounds(r.record, 1e-3);
        // Position j is accepted in the first round whose `accepted` exceeds j.
        for (int64_t j = 0; j < 24; ++j) {
            size_t i = 0;
            while (r.record.accepted[i] <= j)
                ++i;
            QCOMPARE(rounds[size_t(j)], int64_t(i) + 1);
        }
        QVERIFY(at::equal(sampleAtTolerance(r.record, 1e-3), r.sample.to(at::kCPU)));
        DS_EXPECT_ERROR(acceptanceRounds(r.record, 1e-4), "below the run's");
    }

    void looserTolerancesAcceptNoLater()
    {
        auto r = picardRun(1e-4);
        const auto tight = acceptanceRounds(r.record, 1e-4);
        const auto loose = acceptanceRounds(r.record, 1e-1);
        const auto huge = acceptanceRounds(r.record, 1e9);
        for (size_t j = 0; j < 24; ++j) {
            QVERIFY(loose[j] <= tight[j] && huge[j] <= loose[j]);
            QVERIFY(j == 0 || tight[j] >= tight[j - 1]);
        }
        QCOMPARE(huge[7], int64_t(1)); // every residual passes: the first window at once
        QVERIFY(loose.back() < tight.back());
        auto error = [&](double tau) { return maxAbsDiff_(sampleAtTolerance(r.record, tau), r.sequential); };
        QVERIFY(error(1e-4) < 1e-3); // the exact chain, to τ
        QVERIFY(error(1e-1) < 1e-2); // the looser read stays near it on this smooth chain
        QVERIFY(at::equal(sampleAtTolerance(r.record, 1e9), r.record.sample[size_t(huge.back() - 1)]));
    }

private:
    static double maxAbsDiff_(const at::Tensor& a, const at::Tensor& b) { return ds::test::maxAbsDiff(a, b.to(at::kCPU)); }
};

DS_TEST_SUITE(PicardRecordTest, "picard_record");
#include "test_picard_record.moc"
