// The Gaussian oracle's closed-form posterior mean against an empirical posterior over many
// Gaussian draws, and its limits at small and large t.
#include "core/denoisers/empirical_denoiser.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

using namespace ds;

class GaussianDenoiserTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void agreesWithEmpiricalPosteriorOfGaussianDraws()
    {
        // One pixel, 200 000 draws of N(0.3, 0.4²): the empirical posterior mean converges to
        // E[x0 | x_t] = μ + √ᾱ s²/(ᾱ s² + 1 − ᾱ)(x_t − √ᾱ μ).
        const auto spec = ScheduleSpec::linear(1000);
        GaussianDenoiser exact(at::full({1, 1, 1}, 0.3), at::full({1, 1, 1}, 0.4), spec);
        auto draws = 0.3 + 0.4 * at::randn({200000, 1, 1, 1}, at::kDouble);
        EmpiricalDenoiser empirical(draws.to(at::kFloat), spec, DataRange{-3, 3}, "gaussian", "test");
        // x_t within about two standard deviations of √ᾱ μ, where the draws are dense.
        auto x = at::linspace(-0.5, 1.0, 9).reshape({9, 1, 1, 1});
        for (int64_t k : {100, 400, 800}) {
            auto ks = at::full({9}, k, at::kLong);
            DS_COMPARE_TENSORS(empirical(x, ks), exact(x, ks), 0.01);
        }
    }

    void largeBatchesRunInChunksAsOnePass()
    {
        // 2100 rows of 1×64×64 exceed one chunk (4M values = 1024 rows): the stitched output
        // must equal row-wise calls, each row with its own timestep, and count as one pass.
        GaussianDenoiser exact(at::full({1, 64, 64}, 0.1), at::full({1, 64, 64}, 0.5), ScheduleSpec::linear(1000));
        auto x = at::randn({2100, 1, 64, 64});
        auto ks = at::arange(2100, at::kLong) % 1000;
        auto all = exact(x, ks);
        QCOMPARE(exact.usage().passes, int64_t(1));
        for (int64_t row : {0, 1023, 1024, 2047, 2048, 2099})
            DS_COMPARE_TENSORS(all.narrow(0, row, 1), exact(x.narrow(0, row, 1), ks.narrow(0, row, 1)), 1e-6);
    }

    void limitsAtBothEnds()
    {
        const auto spec = ScheduleSpec::linear(1000);
        GaussianDenoiser exact(at::full({1, 2, 2}, -0.1), at::full({1, 2, 2}, 0.7), spec);
        auto x = at::randn({3, 1, 2, 2});
        // ᾱ_1 ≈ 1: x̂0 ≈ x_t; ᾱ_T ≈ 4e-5: x̂0 ≈ μ.
        DS_COMPARE_TENSORS(exact(x, at::zeros({3}, at::kLong)), x, 0.01);
        DS_COMPARE_TENSORS(exact(x, at::full({3}, 999, at::kLong)), at::full({3, 1, 2, 2}, -0.1), 0.01);
    }

    void estimateGivesConsistentEpsilon()
    {
        GaussianDenoiser exact(at::zeros({1, 2, 2}), at::ones({1, 2, 2}), ScheduleSpec::linear(1000));
        // For N(0, I) data x_t ~ N(0, I) and E[ε | x_t] = √(1−ᾱ) x_t.
        auto x = at::randn({4, 1, 2, 2});
        auto e = exact.estimate(x, 300);
        const double abar = exact.schedule().alphaBarAt(300);
        DS_COMPARE_TENSORS(e.eps, std::sqrt(1 - abar) * x, 1e-5);
        DS_COMPARE_TENSORS(e.x0, std::sqrt(abar) * x, 1e-5);
    }
};

DS_TEST_SUITE(GaussianDenoiserTest, "gaussian_denoiser");
#include "test_gaussian_denoiser.moc"
