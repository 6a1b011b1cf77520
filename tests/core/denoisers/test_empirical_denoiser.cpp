// The exact empirical denoiser (seed 003): brute-force agreement, nearest image at small t,
// the data mean at large t, and the per-pixel (pixel-aware) likelihood.
#include "core/denoisers/empirical_denoiser.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

namespace {

// log q(x | y_i) summed over pixels, straight from the Gaussian density (no expansion).
at::Tensor bruteForceLogLikelihood(const at::Tensor& x, const at::Tensor& data, const at::Tensor& abar)
{
    auto diff = x.reshape({1, -1}).to(at::kDouble) - at::sqrt(abar) * data.reshape({data.size(0), -1}).to(at::kDouble);
    auto var = (1.0 - abar).expand_as(diff);
    return (-0.5 * (diff.square() / var + at::log(var))).sum(1);
}

} // namespace

class EmpiricalDenoiserTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesBruteForceScalar()
    {
        auto data = at::rand({50, 1, 3, 3}) * 2 - 1;
        EmpiricalDenoiser oracle(data, ScheduleSpec::linear(1000), {}, "test", "test");
        auto x = at::randn({1, 1, 3, 3});
        for (int64_t k : {10, 200, 700}) {
            auto abar = at::full({1, 1}, oracle.schedule().alphaBarAt(k), at::kDouble);
            auto w = at::softmax(bruteForceLogLikelihood(x, data, abar), 0);
            auto expected = at::matmul(w.unsqueeze(0), data.reshape({50, -1}).to(at::kDouble)).reshape({1, 1, 3, 3});
            DS_COMPARE_TENSORS(oracle(x, at::full({1}, k, at::kLong)), expected, 1e-5);
        }
    }

    void matchesBruteForcePerPixel()
    {
        const double eps = 4e-3;
        auto data = at::rand({40, 1, 3, 3}) * (1 - eps) + eps;
        EmpiricalDenoiser oracle(data, ScheduleSpec::pixelAware(200, 20, eps), DataRange{eps, 1}, "test", "test");
        auto x = at::randn({1, 1, 3, 3}) * 0.5 + 0.3;
        for (int64_t k : {5, 60, 199}) {
            auto abar = at::exp(-20.0 * data.reshape({40, -1}).to(at::kDouble) * double(k + 1) / 200);
            auto w = at::softmax(bruteForceLogLikelihood(x, data, abar), 0);
            auto expected = at::matmul(w.unsqueeze(0), data.reshape({40, -1}).to(at::kDouble)).reshape({1, 1, 3, 3});
            DS_COMPARE_TENSORS(oracle(x, at::full({1}, k, at::kLong)), expected, 1e-5);
        }
    }

    void smallTReturnsTheNearestTrainingImage()
    {
        auto data = at::rand({300, 1, 6, 6}) * 2 - 1;
        EmpiricalDenoiser oracle(data, ScheduleSpec::linear(1000), {}, "test", "test");
        for (int64_t i : {0, 17, 299}) {
            auto y = data[i].unsqueeze(0);
            const double abar = oracle.schedule().alphaBarAt(2);
            auto x = std::sqrt(abar) * y + std::sqrt(1 - abar) * at::randn_like(y);
            auto w = oracle.weights(x, at::full({1}, 2, at::kLong));
            QCOMPARE(w.argmax(1).item<int64_t>(), i);
            DS_COMPARE_TENSORS(oracle(x, at::full({1}, 2, at::kLong)), y, 1e-4);
        }
    }

    void largeTReturnsTheDataMean()
    {
        auto data = at::rand({100, 1, 4, 4});
        EmpiricalDenoiser oracle(data, ScheduleSpec::linear(1000), {}, "test", "test");
        auto x = at::randn({2, 1, 4, 4});
        // At ᾱ_T ≈ 4e-5 the weights are uniform up to ~√ᾱ_T·‖x‖‖y‖: x̂0 ≈ mean.
        DS_COMPARE_TENSORS(oracle(x, at::full({2}, 999, at::kLong)), data.mean(0, true).expand({2, -1, -1, -1}), 0.02);
    }

    void mixedIndicesInOneBatchMatchSeparateCalls()
    {
        auto data = at::rand({30, 1, 2, 2});
        for (auto spec : {ScheduleSpec::linear(100), ScheduleSpec::pixelAware(100, 20)}) {
            EmpiricalDenoiser oracle(data, spec, DataRange{0, 1}, "test", "test");
            auto x = at::randn({3, 1, 2, 2});
            auto k = at::tensor({5L, 50L, 5L});
            auto together = oracle(x, k);
            for (int64_t i = 0; i < 3; ++i)
                DS_COMPARE_TENSORS(together[i], oracle(x[i].unsqueeze(0), k[i].reshape({1}))[0], 1e-6);
            auto w = oracle.weights(x, k);
            DS_COMPARE_TENSORS(w.sum(1), at::ones({3}, at::kDouble), 1e-12);
        }
    }
};

DS_TEST_SUITE(EmpiricalDenoiserTest, "empirical_denoiser");
#include "test_empirical_denoiser.moc"
