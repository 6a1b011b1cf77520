// The health report: the exact Gaussian oracle is healthy, the same oracle with its outputs
// scaled ×10 (what a wrong output scale or a unit mix-up does) is flagged on every count a
// user would miss after min–max scaling, and the demo Fashion-MNIST DDPM passes.
#include "core/data/dataset.h"
#include "core/denoisers/denoiser_loader.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "core/instruments/health_report.h"
#include "core/io/resource_paths.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

using namespace ds;

namespace {

// Another model's outputs × scale: same info, same schedule.
class ScaledDenoiser : public Denoiser {
public:
    ScaledDenoiser(Denoiser& inner, double scale) : Denoiser(inner.info()), inner_(inner), scale_(scale) {}

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override { return scale_ * inner_(x, k); }

private:
    Denoiser& inner_;
    double scale_;
};

GaussianDenoiser oracle() { return GaussianDenoiser(at::full({1, 8, 8}, 0.1), at::full({1, 8, 8}, 0.3), ScheduleSpec::linear(1000)); }

at::Tensor heldOut()
{
    at::manual_seed(8);
    return 0.1 + 0.3 * at::randn({256, 1, 8, 8});
}

QString flagsOf(const HealthReport& r)
{
    QString out;
    for (const auto& f : r.flags)
        out += QString::fromStdString(f) + "\n";
    return out;
}

} // namespace

class HealthReportTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exactOracleIsHealthy()
    {
        auto model = oracle();
        NoiseSource noise(1);
        auto r = healthReport(model, heldOut(), &model, {}, noise);
        QVERIFY2(r.healthy(), qPrintable(flagsOf(r)));
        QCOMPARE(int(r.buckets.size()), 10);
        QCOMPARE(r.buckets.front().tBegin, int64_t(1));
        QCOMPARE(r.buckets.back().tEnd, int64_t(1000));
        for (const auto& b : r.buckets) {
            QCOMPARE(b.mse, b.oracleMse); // it is its own reference
            QVERIFY(b.mse <= 1.05 * b.constantMse);
        }
        // x0-MSE of the exact posterior mean for N(μ, s²): s²(1−ᾱ)/(ᾱ s² + 1 − ᾱ), near s² at t = T.
        QVERIFY(std::abs(r.buckets.back().mse - 0.09) < 0.01);
        QVERIFY(std::abs(r.x0AtT.mean - 0.1) < 0.01);
        QVERIFY(r.samplesOutside < 0.01); // N(0.1, 0.3²) beyond [−1.02, 1.02]: about 0.1%
    }

    void scaledModelIsFlagged()
    {
        auto exact = oracle();
        ScaledDenoiser model(exact, 10.0);
        NoiseSource noise(1);
        auto r = healthReport(model, heldOut(), &exact, {}, noise);
        const auto text = flagsOf(r);
        QVERIFY2(!r.healthy(), "a ×10 model passed");
        QVERIFY2(text.contains("worse than predicting a constant"), qPrintable(text));
        QVERIFY2(text.contains("outside the data range"), qPrintable(text));
        QVERIFY(r.samplesOutside > 0.5);
        QVERIFY(std::abs(r.x0AtT.mean - 1.0) < 0.1); // 10 × μ, raw, not rescaled
        // A ×3 output scale is caught too, by the error per bucket alone.
        ScaledDenoiser mild(exact, 3.0);
        NoiseSource again(1);
        QVERIFY(!healthReport(mild, heldOut(), &exact, {}, again).healthy());
    }

    void demoCheckpointPasses()
    {
        auto model = openDenoiser(resourcePath("demo/fashion_mnist_ddpm.dsckpt"));
        DatasetOptions options;
        options.limit = 128;
        options.range = model->info().range;
        auto data = loadDataset("fashion-mnist-test", options);
        HealthOptions health;
        health.steps = 20;
        health.samples = 8;
        NoiseSource noise(2);
        auto r = healthReport(*model, data.images, nullptr, health, noise);
        QVERIFY2(r.healthy(), qPrintable(flagsOf(r)));
        QVERIFY(std::isnan(r.buckets.front().oracleMse));
        QCOMPARE(r.target, std::string(name(model->info().prediction)));
    }

    void badInputIsRefused()
    {
        auto model = oracle();
        NoiseSource noise(1);
        DS_EXPECT_ERROR(healthReport(model, at::zeros({0, 1, 8, 8}), nullptr, {}, noise), "held-out");
        HealthOptions options;
        options.buckets = 0;
        DS_EXPECT_ERROR(healthReport(model, heldOut(), nullptr, options, noise), "buckets");
    }
};

DS_TEST_SUITE(HealthReportTest, "health_report");
#include "test_health_report.moc"
