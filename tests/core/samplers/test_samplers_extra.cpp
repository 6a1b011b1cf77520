// The samplers researchers compare (euler, euler-ancestral, edm-heun, dpmpp-2m-sde, dpmpp-3m,
// unipc, oracle-ancestral) on the exact oracles, against analytic truths:
// - For data N(μ, s²) per pixel the probability-flow ODE is affine in y = x/√ᾱ, σ = √((1−ᾱ)/ᾱ):
//   y_σ' = μ + √(s² + σ'²)/√(s² + σ²)·(y_σ − μ). Every deterministic sampler's last step is the
//   same x̂0 at the last grid index k_L (x̂0 = μ + s²/(s² + σ_L²)(y_L − μ)), so the reference is
//   the exact flow from k_0 to k_L followed by that x̂0: its error then measures the ODE solve
//   alone, and its observed order log2(e_n/e_2n) must be the method's order.
// - Stochastic samplers at many steps reproduce N(μ, s²) within 4 standard errors.
// - oracle-ancestral draws from the exact reverse kernel: exact at 5 steps.
#include "core/denoisers/denoiser_loader.h"
#include "core/denoisers/empirical_denoiser.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "models/error.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

namespace {

constexpr double kMean = 0.2, kStd = 0.5;
const std::string kGaussian = "oracle:gaussian?mean=0.2&std=0.5&shape=1x4x4";

std::unique_ptr<Denoiser> gaussian(const QString& schedule)
{
    return openDenoiser(kGaussian + "&schedule=" + schedule.toStdString());
}

SampleRun sample(const std::string& name, const SamplerOptions& options, Denoiser& denoiser, const at::Tensor& xT,
                 uint64_t seed = 0)
{
    auto sampler = makeSampler(name);
    NoiseSource noise(seed);
    return runSampler(*sampler, denoiser, xT, options, noise);
}

// A fixed spread of starting values in [−3, 3]: the error is affine in x_T, so this covers it.
at::Tensor spreadStart(int64_t n = 64) { return at::linspace(-3.0, 3.0, n * 16, at::kFloat).reshape({n, 1, 4, 4}); }

// n indices nearest to points uniform in λ = ½ log(ᾱ/(1−ᾱ)) from index kHi down to kLo. The
// full range is no refining grid: near k = 0 (and near T−1 for cosine) one index step is a λ
// step of ~0.4, so the tail of a log-SNR grid is the same few indices for every n ≥ 40, which
// puts a floor under every error and hides any order above 2. Inside [49, 949] one index is a
// λ step below 0.02, so the grid refines in λ as n grows.
// warp p: the targets are λ_hi + (λ_lo − λ_hi)·(j/(n−1))^p; p ≠ 1 makes neighbouring steps
// differ (h_j ∝ j^{p−1}), so a multistep method that misuses its step ratio r shows it.
std::vector<int64_t> lambdaGrid(const Schedule& schedule, int64_t n, double warp = 1.0, int64_t kHi = 949,
                                int64_t kLo = 49)
{
    auto lambda = [&](int64_t k) { const double a = schedule.alphaBarAt(k); return 0.5 * std::log(a / (1 - a)); };
    std::vector<int64_t> grid;
    int64_t k = kHi;
    for (int64_t j = 0; j < n; ++j) {
        const double target = lambda(kHi) + std::pow(double(j) / double(n - 1), warp) * (lambda(kLo) - lambda(kHi));
        while (k > kLo && std::abs(lambda(k - 1) - target) < std::abs(lambda(k) - target))
            --k;
        grid.push_back(grid.empty() ? k : std::min(k, grid.back() - 1));
    }
    return grid;
}

// Exact flow from grid[0] to grid.back(), then x̂0 there (see the file comment).
at::Tensor flowReference(const Schedule& schedule, const std::vector<int64_t>& grid, const at::Tensor& xT)
{
    const double a0 = schedule.alphaBarAt(grid.front()), aL = schedule.alphaBarAt(grid.back());
    const double s0 = (1 - a0) / a0, sL = (1 - aL) / aL, v = kStd * kStd; // σ²
    auto y = xT.to(at::kDouble) / std::sqrt(a0);
    auto yL = kMean + std::sqrt((v + sL) / (v + s0)) * (y - kMean);
    return kMean + v / (v + sL) * (yL - kMean);
}

// Mean and variance over all values, and the 4-SE bounds for N(μ, s²) with M values.
void expectGaussianMoments(const at::Tensor& x, const char* what)
{
    const double m = double(x.numel()), mean = x.mean().item<double>(), var = x.var().item<double>();
    const double seMean = kStd / std::sqrt(m), seVar = kStd * kStd * std::sqrt(2.0 / (m - 1));
    qInfo("%s: mean %.5f (%.2f SE) var %.5f (%.2f SE)", what, mean, (mean - kMean) / seMean, var,
          (var - kStd * kStd) / seVar);
    QVERIFY2(std::abs(mean - kMean) < 4 * seMean, what);
    QVERIFY2(std::abs(var - kStd * kStd) < 4 * seVar, what);
}

// A denoiser that is no oracle (oracle-ancestral must refuse it).
class ZeroNetwork : public Denoiser {
public:
    ZeroNetwork() : Denoiser(info()) {}

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor&) override { return at::zeros_like(x); }

private:
    static DenoiserInfo info()
    {
        DenoiserInfo i;
        i.kind = "test-network";
        i.source = "zero.pt";
        i.shape = {1, 4, 4};
        return i;
    }
};

} // namespace

class SamplersExtraTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deterministicSamplersHaveTheirOrder_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<QString>("schedule");
        QTest::addColumn<double>("order");
        QTest::addColumn<double>("warp");
        for (QString schedule : {"linear", "cosine"}) {
            auto row = [&](const char* name, double order) {
                QTest::newRow(qPrintable(QString(name) + "-" + schedule)) << QString(name) << schedule << order << 1.0;
            };
            row("euler", 1);
            row("edm-heun", 2);
            row("pf-ode-heun", 2);
            row("dpmpp-2m", 2);
            row("dpmpp-3m", 3);
            row("unipc", 2);
            row("ddim", 1);
        }
        for (const char* name : {"dpmpp-3m", "unipc"}) {
            const double order = std::string(name) == "dpmpp-3m" ? 3 : 2;
            QTest::newRow(qPrintable(QString(name) + "-linear-warped")) << QString(name) << "linear" << order << 0.7;
        }
    }
    void deterministicSamplersHaveTheirOrder()
    {
        // Kills (tried): in dpmpp-3m, the flipped step ratio r0 = h/h0 (for h0/h) fails the
        // warped and cosine rows; diffusers' half weight on D2 (observed order 2.2–2.5) fails
        // the order-3 rows.
        QFETCH(QString, sampler);
        QFETCH(QString, schedule);
        QFETCH(double, order);
        QFETCH(double, warp);
        auto oracle = gaussian(schedule);
        const auto xT = spreadStart();
        std::vector<double> errors;
        for (int steps : {10, 20, 40, 80}) {
            SamplerOptions options;
            options.steps = steps;
            auto grid = lambdaGrid(oracle->schedule(), steps, warp);
            auto s = makeSampler(sampler.toStdString());
            NoiseSource noise(0);
            auto x = runSamplerOnGrid(*s, *oracle, xT, options, grid, noise).x;
            errors.push_back(ds::test::maxAbsDiff(x, flowReference(oracle->schedule(), grid, xT)));
        }
        QString orders;
        for (size_t j = 0; j + 1 < errors.size(); ++j)
            orders += QString(" %1").arg(std::log2(errors[j] / errors[j + 1]), 0, 'f', 2);
        qInfo("%s/%s warp %.1f: errors %.3g %.3g %.3g %.3g, orders%s", qPrintable(sampler), qPrintable(schedule), warp,
              errors[0], errors[1], errors[2], errors[3], qPrintable(orders));
        // The error is a signed affine map of x_T whose coefficient can cross zero at coarse
        // grids (dpmpp-2m's does between 20 and 40 steps, and on the warped grid between 40 and
        // 80, so that row is left out): the fall is asked from 40 to 80 and over the range.
        QVERIFY2(errors[3] < errors[2] && errors[3] < errors[0] / 6, qPrintable(orders));
        // Asymptotic order from the finest pair still above float32 noise (≈ 1e-6).
        size_t j = errors.size() - 2;
        while (j > 0 && errors[j + 1] < 2e-6)
            --j;
        const double observed = std::log2(errors[j] / errors[j + 1]);
        QVERIFY2(std::abs(observed - order) <= 0.35 || (order == 3 && observed >= 2.5)
                     || (sampler == "unipc" && observed >= order - 0.35 && observed <= 3.35),
                 qPrintable(QString("observed order %1, expected %2").arg(observed).arg(order)));
    }

    void edmHeunWithoutChurnIsPfOdeHeun()
    {
        auto oracle = gaussian("linear");
        SamplerOptions options;
        options.steps = 12;
        const auto xT = spreadStart(8);
        DS_COMPARE_TENSORS(sample("edm-heun", options, *oracle, xT).x, sample("pf-ode-heun", options, *oracle, xT).x,
                           1e-6);
        QCOMPARE(sample("edm-heun", options, *oracle, xT).usage.passes, 2 * 12 - 1);
        QCOMPARE(makeSampler("edm-heun")->dependentCallsPerStep(), 2);
        QCOMPARE(sample("unipc", options, *oracle, xT).usage.passes, 12); // the corrector reuses the next call
    }

    void stochasticSamplersRecoverTheGaussian_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<double>("eta");
        QTest::addColumn<double>("churn");
        QTest::newRow("euler-ancestral") << "euler-ancestral" << 1.0 << 0.0;
        QTest::newRow("dpmpp-2m-sde") << "dpmpp-2m-sde" << 1.0 << 0.0;
        QTest::newRow("edm-heun-churn") << "edm-heun" << 0.0 << 80.0;
    }
    void stochasticSamplersRecoverTheGaussian()
    {
        // 2048 samples × 16 independent pixels: M = 32768 values, SE(mean) = s/√M,
        // SE(var) = s²√(2/(M−1)).
        QFETCH(QString, sampler);
        QFETCH(double, eta);
        QFETCH(double, churn);
        auto oracle = gaussian("linear");
        SamplerOptions options;
        options.steps = 500;
        options.eta = eta;
        options.churn = churn;
        NoiseSource noise(11);
        auto s = makeSampler(sampler.toStdString());
        auto run = runSampler(*s, *oracle, initialNoise(*oracle, 2048, noise), options, noise);
        expectGaussianMoments(run.x, qPrintable(sampler));
    }

    void oracleAncestralIsExactAtFiveSteps()
    {
        auto oracle = gaussian("linear");
        SamplerOptions options;
        options.steps = 5;
        NoiseSource noise(12);
        auto s = makeSampler("oracle-ancestral");
        auto run = runSampler(*s, *oracle, initialNoise(*oracle, 2048, noise), options, noise);
        expectGaussianMoments(run.x, "oracle-ancestral-5");
        QCOMPARE(noise.draws(), 1 + 5); // x_T, then one Gaussian per step
    }

    void oracleAncestralReturnsTrainingPoints()
    {
        // The exact reverse process of a finite data set ends on its items: the last kernel
        // (ᾱ' = 1, β̃ = 0) is the mixture of point masses at the training points.
        auto oracle = openDenoiser("oracle:two-moons?n=64");
        auto* empirical = dynamic_cast<EmpiricalDenoiser*>(oracle.get());
        QVERIFY(empirical);
        SamplerOptions options;
        options.steps = 3;
        NoiseSource noise(13);
        auto s = makeSampler("oracle-ancestral");
        auto run = runSampler(*s, *oracle, initialNoise(*oracle, 256, noise), options, noise);
        auto data = empirical->data().reshape({empirical->data().size(0), -1}).to(at::kDouble);
        auto out = run.x.reshape({run.x.size(0), -1}).to(at::kDouble);
        auto nearest = std::get<0>(at::cdist(out, data).min(1));
        QVERIFY2(nearest.max().item<double>() < 1e-3, qPrintable(QString::number(nearest.max().item<double>())));
        // Not a collapse onto one point: many distinct items come back.
        auto which = std::get<1>(at::cdist(out, data).min(1));
        QVERIFY(std::get<0>(at::_unique(which)).numel() > 16);
    }

    void oracleAncestralRefusesOtherModels()
    {
        ZeroNetwork net;
        SamplerOptions options;
        options.steps = 3;
        DS_EXPECT_ERROR(sample("oracle-ancestral", options, net, at::zeros({1, 1, 4, 4})), "needs an exact oracle");
    }

    void transitionsMatchSteps()
    {
        // Picard compatibility: one batched transition over 3 positions equals 3 step() calls
        // whose noise is zero (a replayed all-zero draw), for every single-step sampler.
        auto oracle = gaussian("cosine");
        int checked = 0;
        for (const auto& entry : samplerRegistry()) {
            auto s = entry.make();
            if (!s->hasTransition() || s->role() != ModelRole::Denoiser)
                continue;
            SamplerOptions options;
            options.steps = 10;
            options.eta = 1.0;
            s->begin(oracle->schedule(), options);
            const std::vector<int64_t> positions{0, 4, 9};
            auto x = at::randn({3 * 5, 1, 4, 4}, at::TensorOptions().dtype(at::kFloat));
            auto t = s->transition(*oracle, x, positions);
            for (int64_t p = 0; p < 3; ++p) {
                auto zeros = NoiseSource::replaying({at::zeros({5, 1, 4, 4})});
                auto out = s->step(*oracle, x.narrow(0, 5 * p, 5), positions[size_t(p)], zeros);
                DS_COMPARE_TENSORS(t.mean.narrow(0, 5 * p, 5), out.x, 1e-5);
                DS_COMPARE_TENSORS(t.x0.narrow(0, 5 * p, 5), out.x0, 1e-6);
            }
            ++checked;
        }
        QVERIFY(checked >= 2); // euler, euler-ancestral (and the lead's single-step samplers)
    }

    void goldenValues_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<double>("sum");
        QTest::addColumn<double>("mean");
        QTest::newRow("euler") << "euler" << 15.376095 << 0.240251;
        QTest::newRow("euler-ancestral") << "euler-ancestral" << 12.857644 << 0.200901;
        QTest::newRow("edm-heun") << "edm-heun" << 16.194561 << 0.25304;
        QTest::newRow("dpmpp-2m-sde") << "dpmpp-2m-sde" << 12.046964 << 0.188234;
        QTest::newRow("dpmpp-3m") << "dpmpp-3m" << 15.733027 << 0.245829;
        QTest::newRow("unipc") << "unipc" << 15.753268 << 0.246145;
        QTest::newRow("oracle-ancestral") << "oracle-ancestral" << 12.066864 << 0.188545;
    }
    void goldenValues()
    {
        // diffusers' style: seed 0, Gaussian oracle, 20 steps, 4 samples; η = 1 and churn = 5
        // so the stochastic paths run. Pinned after the analytic tests above passed.
        QFETCH(QString, sampler);
        QFETCH(double, sum);
        QFETCH(double, mean);
        auto oracle = gaussian("linear");
        SamplerOptions options;
        options.steps = 20;
        options.eta = 1.0;
        options.churn = 5.0;
        NoiseSource noise(0);
        auto s = makeSampler(sampler.toStdString());
        auto x = runSampler(*s, *oracle, initialNoise(*oracle, 4, noise), options, noise).x;
        const double gotSum = x.sum().item<double>(), gotMean = x.mean().item<double>();
        qInfo("golden %s: sum %.6f mean %.6f", qPrintable(sampler), gotSum, gotMean);
        QVERIFY2(std::abs(gotSum - sum) < 1e-3, qPrintable(QString("sum %1").arg(gotSum, 0, 'f', 6)));
        QVERIFY2(std::abs(gotMean - mean) < 1e-5, qPrintable(QString("mean %1").arg(gotMean, 0, 'f', 6)));
    }

    void badOptionsAreRefused()
    {
        auto oracle = gaussian("linear");
        const auto xT = at::zeros({1, 1, 4, 4});
        SamplerOptions negativeEta;
        negativeEta.eta = -0.5;
        DS_EXPECT_ERROR(sample("euler-ancestral", negativeEta, *oracle, xT), "eta");
        DS_EXPECT_ERROR(sample("dpmpp-2m-sde", negativeEta, *oracle, xT), "eta");
        SamplerOptions negativeChurn;
        negativeChurn.churn = -1;
        DS_EXPECT_ERROR(sample("edm-heun", negativeChurn, *oracle, xT), "churn");
        SamplerOptions negativeNoise;
        negativeNoise.churnNoise = -1;
        DS_EXPECT_ERROR(sample("euler-ancestral", negativeNoise, *oracle, xT), "churn noise");
    }
};

DS_TEST_SUITE(SamplersExtraTest, "samplers_extra");
#include "test_samplers_extra.moc"
