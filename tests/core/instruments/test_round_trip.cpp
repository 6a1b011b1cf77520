// The round trip on the Gaussian oracle: inverting with the probability-flow ODE and sampling
// back is the identity up to solver error, which falls with the step count at the solver's
// order (Euler/DDIM first; Heun third, its local errors cancelling between the two ways). And the nearest-training-image distance.
#include "core/denoisers/empirical_denoiser.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "core/instruments/nearest_training.h"
#include "core/instruments/round_trip.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

namespace {

GaussianDenoiser oracle() { return GaussianDenoiser(at::full({1, 4, 4}, 0.1), at::full({1, 4, 4}, 0.3), ScheduleSpec::linear(1000)); }

at::Tensor gaussianData(int64_t n)
{
    at::manual_seed(5);
    return 0.1 + 0.3 * at::randn({n, 1, 4, 4});
}

} // namespace

class RoundTripTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void errorFallsAtTheSolversOrder()
    {
        auto model = oracle();
        auto x0 = gaussianData(8);
        for (const std::string sampler : {"ddim", "pf-ode-heun"}) {
            auto options = defaultOptions(sampler);
            options.spacing = Spacing::LogSnr; // the orders below were measured on this grid
            auto curve = roundTripErrorCurve(model, x0, sampler, options, {10, 20, 40, 80});
            // Euler there and back: first order. Heun's local error is odd in the step (C h³), so
            // the backward run cancels the forward run's leading term: third order round trip.
            const double order = sampler == "ddim" ? 1.0 : 3.0;
            for (size_t i = 1; i < curve.size(); ++i) {
                // Doubling the steps divides the error by about 2^order.
                const double ratio = curve[i - 1].rmse / curve[i].rmse;
                QVERIFY2(ratio > std::pow(2.0, order) * 0.7 && ratio < std::pow(2.0, order) * 1.3,
                         qPrintable(QString("%1: %2 → %3 steps, rmse %4 → %5").arg(sampler.c_str())
                                        .arg(curve[i - 1].steps).arg(curve[i].steps).arg(curve[i - 1].rmse).arg(curve[i].rmse)));
            }
            QVERIFY(curve.back().rmse < (sampler == "ddim" ? 0.02 : 1e-3));
        }
    }

    void manyStepsGiveTheIdentity()
    {
        auto model = oracle();
        auto x0 = gaussianData(4);
        auto options = defaultOptions("pf-ode-heun");
        options.steps = 200;
        auto r = roundTrip(model, x0, "pf-ode-heun", options);
        QVERIFY2(r.rmse < 1e-4, qPrintable(QString::number(r.rmse)));
        QVERIFY(r.inversion.fixedPointResidual <= 1e-6);
        QCOMPARE(r.errorMap.sizes(), x0.sizes());
        QVERIFY(std::abs(r.errorMap.max().item<double>() - r.maxError) < 1e-6);
        // x_T is the data carried to noise: for N(μ, s²) data, x_T ≈ √ᾱ_T x0 + √(1−ᾱ_T)(x0 − μ)/s
        // (the flow maps quantiles to quantiles), so standardised data lands on N(0, 1) values.
        const double abar = model.schedule().alphaBarAt(r.grid.front());
        auto expected = std::sqrt(abar) * 0.1 + (x0 - 0.1) / 0.3 * std::sqrt(abar * 0.09 + 1 - abar);
        DS_COMPARE_TENSORS(r.inversion.xT, expected, 1e-3);
    }

    void stochasticOrUnknownSamplersAreRefused()
    {
        auto model = oracle();
        auto x0 = gaussianData(1);
        auto options = defaultOptions("ddim");
        options.eta = 1.0;
        DS_EXPECT_ERROR(roundTrip(model, x0, "ddim", options), "eta = 0");
        DS_EXPECT_ERROR(roundTrip(model, x0, "ddpm", defaultOptions("ddpm")), "cannot be inverted");
    }

    void nearestTrainingImage()
    {
        auto data = at::randn({50, 1, 3, 3});
        auto samples = at::cat({data.narrow(0, 7, 1), data.narrow(0, 31, 1) + 0.1});
        auto nearest = nearestTraining(samples, data);
        QCOMPARE(nearest.index[0].item<int64_t>(), int64_t(7));
        QCOMPARE(nearest.index[1].item<int64_t>(), int64_t(31));
        QVERIFY(nearest.distance[0].item<double>() < 1e-6);
        QVERIFY(std::abs(nearest.distance[1].item<double>() - 0.1) < 1e-6);
        DS_EXPECT_ERROR(nearestTraining(samples, at::randn({5, 1, 2, 2})), "same item shape");
    }

    void empiricalOracleReturnsATrainingImage()
    {
        // What the memorisation note says: the exact empirical oracle's samples are training images.
        auto data = at::rand({12, 1, 4, 4}) * 2 - 1;
        EmpiricalDenoiser model(data, ScheduleSpec::linear(1000), DataRange{-1, 1}, "toy", "test");
        auto sampler = makeSampler("ddim");
        auto options = defaultOptions("ddim");
        options.steps = 50;
        NoiseSource noise(2);
        auto run = runSampler(*sampler, model, initialNoise(model, 6, noise), options, noise);
        QVERIFY(nearestTraining(run.x, data).distance.max().item<double>() < 1e-3);
    }
};

DS_TEST_SUITE(RoundTripTest, "round_trip");
#include "test_round_trip.moc"
