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
//   clip range ignored / ±1 fixed    → the *-clip rows (range 0.5: the variance halves)
//   DDIM direction from clipped ε̂   → ddim-clip rows (diffusers keeps the model's ε̂)
//
// With x̂0 clipping the step is no longer affine (x̂0 = clamp(gx·x + g0, −r, r)), so the output
// is not Gaussian. Pixels stay independent, though, so the law of one pixel is propagated
// exactly on a fine 1-D grid: deterministic maps move weighted particles, each σ z convolves
// them with a discretised Gaussian (grid spacing σ/8 at most 0.01, Sheppard-corrected).
//
// Golden values (diffusers' habit): seed 0 pins each row's sum and mean, so a change to the
// numbers that stays inside the statistical bounds still shows. Tolerance 1e-3 of Σ|x|: float
// reductions differ across LibTorch builds, a changed noise order moves the sum by ~√M.
#include "core/denoisers/gaussian_denoiser.h"
#include "core/denoisers/prediction.h"
#include "core/metrics/gaussian_sampler_error.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/timesteps.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

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

// One step as a map of one pixel's value plus the noise it adds: x' = f(x) + σ z.
struct PixelStep {
    std::function<double(double)> f;
    double sigma;
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

// The same steps with x̂0 clamped to ±r, as the engine does it: DDPM and Euler–Maruyama use the
// clipped x̂0 with ε̂ made consistent with it (Sampler::evaluate); DDIM clips only its x̂0 term.
PixelStep clippedStepOf(const std::string& sampler, double a, double an, double eta, bool large, double r)
{
    double gx, g0;
    oracleLine(a, gx, g0);
    const auto x0 = [=](double x) { return std::clamp(gx * x + g0, -r, r); };
    if (sampler == "ddpm") {
        const double beta = 1 - a / an;
        const double c0 = std::sqrt(an) * beta / (1 - a), cx = std::sqrt(1 - beta) * (1 - an) / (1 - a);
        const double var = an >= 1 ? 0 : (large ? beta : (1 - an) / (1 - a) * beta);
        return {[=](double x) { return c0 * x0(x) + cx * x; }, std::sqrt(var)};
    }
    if (sampler == "ddim") {
        const double sig = eta * std::sqrt((1 - an) / (1 - a) * (1 - a / an));
        const double ce = std::sqrt(std::max(0.0, 1 - an - sig * sig));
        return {[=](double x) { return std::sqrt(an) * x0(x) + ce * (x - std::sqrt(a) * (gx * x + g0)) / std::sqrt(1 - a); },
                sig};
    }
    if (an >= 1)
        return {x0, 0};
    const double h = std::log(an) - std::log(a);
    return {[=](double x) {
                const double eps = (x - std::sqrt(a) * x0(x)) / std::sqrt(1 - a);
                return x + h * (0.5 * x - eps / std::sqrt(1 - a));
            },
            std::sqrt(h)};
}

// The law of one pixel as weighted particles (positions, weights summing to 1).
struct PixelLaw {
    std::vector<double> x, w;

    static PixelLaw standardNormal()
    {
        PixelLaw law;
        for (double x = -8; x <= 8; x += 0.004) {
            law.x.push_back(x);
            law.w.push_back(std::exp(-0.5 * x * x));
        }
        law.normalise();
        return law;
    }
    void normalise()
    {
        const double total = std::accumulate(w.begin(), w.end(), 0.0);
        for (auto& v : w)
            v /= total;
    }
    void map(const std::function<double(double)>& f)
    {
        for (auto& v : x)
            v = f(v);
    }
    // Convolution with N(0, σ²) onto a grid of spacing h = σ/8 (within [5e-4, 0.01]), the
    // kernel cut at ±6σ and normalised per particle, so mass is kept exactly. A kernel sampled
    // on a grid has variance σ² + h²/12 (Sheppard), so it is drawn with σ² − h²/12.
    void addNoise(double sigma)
    {
        if (sigma <= 0)
            return;
        const double h = std::clamp(sigma / 8, 5e-4, 0.01);
        const double width = std::sqrt(std::max(sigma * sigma - h * h / 12, 0.25 * sigma * sigma));
        const double lo = *std::min_element(x.begin(), x.end()) - 6 * sigma;
        const double hi = *std::max_element(x.begin(), x.end()) + 6 * sigma;
        const auto nodes = size_t((hi - lo) / h) + 2;
        std::vector<double> out(nodes, 0.0), kernel;
        for (size_t j = 0; j < x.size(); ++j) {
            if (w[j] == 0)
                continue;
            const auto first = size_t(std::max(0.0, std::floor((x[j] - 6 * sigma - lo) / h)));
            const auto last = std::min(nodes - 1, size_t(std::ceil((x[j] + 6 * sigma - lo) / h)));
            kernel.assign(last - first + 1, 0.0);
            double total = 0;
            for (size_t k = first; k <= last; ++k) {
                const double z = (lo + double(k) * h - x[j]) / width;
                total += kernel[k - first] = std::exp(-0.5 * z * z);
            }
            for (size_t k = first; k <= last; ++k)
                out[k] += w[j] * kernel[k - first] / total;
        }
        x.resize(nodes);
        for (size_t k = 0; k < nodes; ++k)
            x[k] = lo + double(k) * h;
        w = std::move(out);
    }
    double mean() const { return std::inner_product(x.begin(), x.end(), w.begin(), 0.0); }
    double variance() const
    {
        const double m = mean();
        double v = 0;
        for (size_t j = 0; j < x.size(); ++j)
            v += w[j] * (x[j] - m) * (x[j] - m);
        return v;
    }
};

struct Golden {
    double sum, mean;
};

// Seed-0 sums and means of every row, recorded from this engine (see the header).
const std::map<std::string, Golden>& goldens();

// Checks a run's output against its row's golden values.
void checkGolden(const at::Tensor& x)
{
    const std::string tag = QTest::currentDataTag();
    const double sum = x.sum().item<double>(), mean = x.mean().item<double>();
    const double tolerance = 1e-3 * x.abs().sum().item<double>();
    const auto it = goldens().find(tag);
    QVERIFY2(it != goldens().end(), qPrintable(QString("no golden value for row %1 (sum %2, mean %3)")
                                                  .arg(tag.c_str()).arg(sum, 0, 'f', 6).arg(mean, 0, 'f', 6)));
    QVERIFY2(std::abs(sum - it->second.sum) <= tolerance,
             qPrintable(QString("sum %1, golden %2").arg(sum, 0, 'f', 6).arg(it->second.sum, 0, 'f', 6)));
    QVERIFY2(std::abs(mean - it->second.mean) <= tolerance / double(x.numel()),
             qPrintable(QString("mean %1, golden %2").arg(mean, 0, 'f', 6).arg(it->second.mean, 0, 'f', 6)));
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
        checkGolden(run.x);
    }

    // The impulse-response law of core/metrics/gaussian_sampler_error (what bench-samplers
    // tabulates) against the scalar recurrence above: no sampling error, so 1e-5.
    void exactLawMatchesTheRecurrence_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<double>("eta");
        QTest::addColumn<bool>("large");
        QTest::newRow("ddpm-small") << "ddpm" << 0.0 << false;
        QTest::newRow("ddpm-large") << "ddpm" << 0.0 << true;
        QTest::newRow("ddim") << "ddim" << 0.0 << false;
        QTest::newRow("ddim-eta") << "ddim" << 0.7 << false;
        QTest::newRow("euler-sde") << "euler-sde" << 0.0 << false;
    }
    void exactLawMatchesTheRecurrence()
    {
        QFETCH(QString, sampler);
        QFETCH(double, eta);
        QFETCH(bool, large);
        const auto spec = ScheduleSpec::cosine(1000);
        GaussianDenoiser oracle(at::full({1, 4, 4}, kMu), at::full({1, 4, 4}, kS), spec);
        auto options = defaultOptions(sampler.toStdString());
        options.steps = 12;
        options.spacing = Spacing::Trailing;
        options.eta = eta;
        options.sigma = large ? SigmaMode::Large : SigmaMode::Small;
        const auto law = exactGaussianOutputLaw(sampler.toStdString(), options, oracle);
        auto grid = timestepGrid(oracle.schedule(), options.steps, options.spacing);
        double m = 0, v = 1;
        for (size_t i = 0; i < grid.size(); ++i) {
            const double a = oracle.schedule().alphaBarAt(grid[i]);
            const double an = i + 1 < grid.size() ? oracle.schedule().alphaBarAt(grid[i + 1]) : 1.0;
            const auto st = stepOf(sampler.toStdString(), a, an, eta, large);
            m = st.A * m + st.B;
            v = st.A * st.A * v + st.sigma * st.sigma;
        }
        QCOMPARE(law.networkCalls, int64_t(12));
        QVERIFY2(std::abs(law.mean.mean().item<double>() - m) < 1e-5, qPrintable(QString::number(m)));
        QVERIFY2(std::abs(law.variance.mean().item<double>() - v) < 1e-5, qPrintable(QString::number(v)));
        QVERIFY((law.variance.max() - law.variance.min()).item<double>() < 1e-6); // every pixel alike
    }

    // The exact ancestral sampler of the oracle draws the true reverse chain: its output is the
    // data law itself at any step count (W2 = 0 to float rounding), while DDIM at 5 steps is not.
    void oracleAncestralHasZeroError()
    {
        const auto mu = at::tensor({0.2, -0.5, 0.8, 0.0}, at::kFloat).reshape({1, 2, 2});
        const auto s = at::tensor({0.5, 0.1, 0.05, 1.0}, at::kFloat).reshape({1, 2, 2});
        GaussianDenoiser oracle(mu, s, ScheduleSpec::linear(1000));
        auto options = defaultOptions("oracle-ancestral");
        options.steps = 5;
        const double exact = gaussianW2(exactGaussianOutputLaw("oracle-ancestral", options, oracle), mu, s);
        auto ddim = defaultOptions("ddim");
        ddim.steps = 5;
        const double fewStep = gaussianW2(exactGaussianOutputLaw("ddim", ddim, oracle), mu, s);
        QVERIFY2(exact < 1e-5, qPrintable(QString::number(exact)));
        QVERIFY2(fewStep > 1e-3, qPrintable(QString::number(fewStep)));
        ddim.clipDenoised = true;
        DS_EXPECT_ERROR(exactGaussianOutputLaw("ddim", ddim, oracle), "affine");
    }

    void clippedMomentsFollowThePixelLaw_data()
    {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<int>("spacing");
        QTest::addColumn<int>("schedule");
        QTest::addColumn<double>("eta");
        QTest::addColumn<bool>("large");
        const int lin = int(ScheduleKind::Linear), cos = int(ScheduleKind::Cosine);
        for (auto sp : {Spacing::Leading, Spacing::Trailing, Spacing::LogSnr})
            for (int sched : {lin, cos}) {
                const std::string tag = std::string(name(sp)) + (sched == lin ? "-linear" : "-cosine");
                QTest::newRow(("ddpm-small-clip-" + tag).c_str()) << "ddpm" << int(sp) << sched << 0.0 << false;
                QTest::newRow(("ddpm-large-clip-" + tag).c_str()) << "ddpm" << int(sp) << sched << 0.0 << true;
                QTest::newRow(("ddim-clip-" + tag).c_str()) << "ddim" << int(sp) << sched << 0.0 << false;
                QTest::newRow(("ddim-eta-clip-" + tag).c_str()) << "ddim" << int(sp) << sched << 0.7 << false;
                QTest::newRow(("euler-sde-clip-" + tag).c_str()) << "euler-sde" << int(sp) << sched << 0.0 << false;
            }
    }
    void clippedMomentsFollowThePixelLaw()
    {
        QFETCH(QString, sampler);
        QFETCH(int, spacing);
        QFETCH(int, schedule);
        QFETCH(double, eta);
        QFETCH(bool, large);
        constexpr double kRange = 0.5;
        const auto spec = ScheduleKind(schedule) == ScheduleKind::Linear ? ScheduleSpec::linear(1000) : ScheduleSpec::cosine(1000);
        ReparameterisedOracle model(spec, Prediction::Epsilon);
        SamplerOptions options;
        options.steps = 20;
        options.spacing = Spacing(spacing);
        options.eta = eta;
        options.sigma = large ? SigmaMode::Large : SigmaMode::Small;
        options.clipDenoised = true;
        options.clipRange = kRange;
        auto s = makeSampler(sampler.toStdString());
        NoiseSource noise(0);
        auto xT = initialNoise(model, 4096, noise);
        auto run = runSampler(*s, model, xT, options, noise);

        auto grid = timestepGrid(model.schedule(), options.steps, options.spacing);
        auto law = PixelLaw::standardNormal();
        double mAffine = 0, vAffine = 1; // the unclipped recurrence, to show clipping matters here
        for (size_t i = 0; i < grid.size(); ++i) {
            const double a = model.schedule().alphaBarAt(grid[i]);
            const double an = i + 1 < grid.size() ? model.schedule().alphaBarAt(grid[i + 1]) : 1.0;
            const auto step = clippedStepOf(sampler.toStdString(), a, an, eta, large, kRange);
            law.map(step.f);
            law.addNoise(step.sigma);
            const auto affine = stepOf(sampler.toStdString(), a, an, eta, large);
            mAffine = affine.A * mAffine + affine.B;
            vAffine = affine.A * affine.A * vAffine + affine.sigma * affine.sigma;
        }
        const double m = law.mean(), v = law.variance();
        const double M = double(run.x.numel());
        const double mean = run.x.mean().item<double>(), var = run.x.var().item<double>();
        const double seMean = std::sqrt(v / M), seVar = v * std::sqrt(2 / (M - 1));
        const auto detail = QString("mean %1 vs %2 (SE %3), var %4 vs %5 (SE %6); unclipped would give %7, %8")
                                .arg(mean).arg(m).arg(seMean).arg(var).arg(v).arg(seVar).arg(mAffine).arg(vAffine);
        QVERIFY2(std::abs(mean - m) < 4.5 * seMean, qPrintable(detail));
        QVERIFY2(std::abs(var - v) < 4.5 * seVar, qPrintable(detail));
        QVERIFY2(std::abs(v - vAffine) > 20 * seVar, qPrintable("clipping does not bite in this row: " + detail));
        // The last step of each lands on x̂0 itself (ᾱ' = 1), so every output is inside ±r.
        QVERIFY(run.x.abs().max().item<double>() <= kRange + 1e-6);
        checkGolden(run.x);
    }
};

namespace {
const std::map<std::string, Golden>& goldens()
{
    static const std::map<std::string, Golden> table{
        {"ddpm-small-leading-linear", {13094.065430, 0.199800}},
        {"ddpm-large-leading-linear", {13067.418945, 0.199393}},
        {"ddim-leading-linear", {12942.863281, 0.197492}},
        {"ddim-eta-leading-linear", {13033.337891, 0.198873}},
        {"euler-sde-leading-linear", {12885.212891, 0.196613}},
        {"picard-ddpm-leading-linear", {13094.065430, 0.199800}},
        {"ddpm-small-leading-cosine", {13023.097656, 0.198717}},
        {"ddpm-large-leading-cosine", {13008.236328, 0.198490}},
        {"ddim-leading-cosine", {12529.640625, 0.191187}},
        {"ddim-eta-leading-cosine", {12843.811523, 0.195981}},
        {"euler-sde-leading-cosine", {12888.589844, 0.196664}},
        {"picard-ddpm-leading-cosine", {13023.099609, 0.198717}},
        {"ddpm-small-trailing-linear", {13076.098633, 0.199525}},
        {"ddpm-large-trailing-linear", {13057.128906, 0.199236}},
        {"ddim-trailing-linear", {12966.066406, 0.197846}},
        {"ddim-eta-trailing-linear", {13030.964844, 0.198837}},
        {"euler-sde-trailing-linear", {12875.257813, 0.196461}},
        {"picard-ddpm-trailing-linear", {13076.098633, 0.199525}},
        {"ddpm-small-trailing-cosine", {13047.878906, 0.199095}},
        {"ddpm-large-trailing-cosine", {13036.559570, 0.198922}},
        {"ddim-trailing-cosine", {12994.185547, 0.198276}},
        {"ddim-eta-trailing-cosine", {12974.389648, 0.197973}},
        {"euler-sde-trailing-cosine", {12905.708984, 0.196925}},
        {"picard-ddpm-trailing-cosine", {13047.878906, 0.199095}},
        {"ddpm-small-linspace-linear", {13096.333008, 0.199834}},
        {"ddpm-large-linspace-linear", {13068.308594, 0.199407}},
        {"ddim-linspace-linear", {12966.365234, 0.197851}},
        {"ddim-eta-linspace-linear", {13042.357422, 0.199011}},
        {"euler-sde-linspace-linear", {12875.623047, 0.196466}},
        {"picard-ddpm-linspace-linear", {13096.333008, 0.199834}},
        {"ddpm-small-linspace-cosine", {13055.160156, 0.199206}},
        {"ddpm-large-linspace-cosine", {13040.074219, 0.198976}},
        {"ddim-linspace-cosine", {12994.427734, 0.198279}},
        {"ddim-eta-linspace-cosine", {12978.048828, 0.198029}},
        {"euler-sde-linspace-cosine", {12902.070313, 0.196870}},
        {"picard-ddpm-linspace-cosine", {13055.159180, 0.199206}},
        {"ddpm-small-logsnr-linear", {13040.576172, 0.198983}},
        {"ddpm-large-logsnr-linear", {12995.277344, 0.198292}},
        {"ddim-logsnr-linear", {12963.148438, 0.197802}},
        {"ddim-eta-logsnr-linear", {13012.597656, 0.198556}},
        {"euler-sde-logsnr-linear", {12659.451172, 0.193168}},
        {"picard-ddpm-logsnr-linear", {13040.576172, 0.198983}},
        {"ddpm-small-logsnr-cosine", {13040.994141, 0.198990}},
        {"ddpm-large-logsnr-cosine", {13058.651367, 0.199259}},
        {"ddim-logsnr-cosine", {13006.789063, 0.198468}},
        {"ddim-eta-logsnr-cosine", {13003.175781, 0.198413}},
        {"euler-sde-logsnr-cosine", {12478.326172, 0.190404}},
        {"picard-ddpm-logsnr-cosine", {13040.992188, 0.198990}},
        {"ddpm-small-karras-linear", {13098.825195, 0.199872}},
        {"ddpm-large-karras-linear", {13141.798828, 0.200528}},
        {"ddim-karras-linear", {12967.645508, 0.197871}},
        {"ddim-eta-karras-linear", {13031.075195, 0.198838}},
        {"euler-sde-karras-linear", {12765.802734, 0.194791}},
        {"picard-ddpm-karras-linear", {13098.826172, 0.199872}},
        {"ddpm-small-karras-cosine", {13115.378906, 0.200125}},
        {"ddpm-large-karras-cosine", {13062.727539, 0.199321}},
        {"ddim-karras-cosine", {13022.568359, 0.198709}},
        {"ddim-eta-karras-cosine", {13103.069336, 0.199937}},
        {"euler-sde-karras-cosine", {11974.309570, 0.182713}},
        {"picard-ddpm-karras-cosine", {13115.376953, 0.200125}},
        {"ddpm-small-clip-leading-linear", {9749.754883, 0.148769}},
        {"ddpm-large-clip-leading-linear", {6937.900391, 0.105864}},
        {"ddim-clip-leading-linear", {9523.817383, 0.145322}},
        {"ddim-eta-clip-leading-linear", {9390.183594, 0.143283}},
        {"euler-sde-clip-leading-linear", {6610.693359, 0.100871}},
        {"ddpm-small-clip-leading-cosine", {8979.726563, 0.137020}},
        {"ddpm-large-clip-leading-cosine", {7257.276855, 0.110737}},
        {"ddim-clip-leading-cosine", {8845.603516, 0.134973}},
        {"ddim-eta-clip-leading-cosine", {8346.083984, 0.127351}},
        {"euler-sde-clip-leading-cosine", {7049.507324, 0.107567}},
        {"ddpm-small-clip-trailing-linear", {9773.177734, 0.149127}},
        {"ddpm-large-clip-trailing-linear", {7802.591797, 0.119058}},
        {"ddim-clip-trailing-linear", {9571.822266, 0.146054}},
        {"ddim-eta-clip-trailing-linear", {9425.698242, 0.143825}},
        {"euler-sde-clip-trailing-linear", {7450.392090, 0.113684}},
        {"ddpm-small-clip-trailing-cosine", {9006.705078, 0.137431}},
        {"ddpm-large-clip-trailing-cosine", {7628.218750, 0.116397}},
        {"ddim-clip-trailing-cosine", {9188.199219, 0.140201}},
        {"ddim-eta-clip-trailing-cosine", {8437.897461, 0.128752}},
        {"euler-sde-clip-trailing-cosine", {7339.772949, 0.111996}},
        {"ddpm-small-clip-logsnr-linear", {9479.654297, 0.144648}},
        {"ddpm-large-clip-logsnr-linear", {6959.799805, 0.106198}},
        {"ddim-clip-logsnr-linear", {9451.088867, 0.144212}},
        {"ddim-eta-clip-logsnr-linear", {9074.973633, 0.138473}},
        {"euler-sde-clip-logsnr-linear", {6428.758301, 0.098095}},
        {"ddpm-small-clip-logsnr-cosine", {10221.769531, 0.155972}},
        {"ddpm-large-clip-logsnr-cosine", {6536.347168, 0.099737}},
        {"ddim-clip-logsnr-cosine", {9883.961914, 0.150817}},
        {"ddim-eta-clip-logsnr-cosine", {9793.194336, 0.149432}},
        {"euler-sde-clip-logsnr-cosine", {5674.329102, 0.086583}},
    };
    return table;
}
} // namespace

DS_TEST_SUITE(SamplerMomentsTest, "sampler_moments");
#include "test_sampler_moments.moc"
