// Per-pixel SNR (seed 002 eq. 11) and the terminal prior mismatch.
#include "core/data/dataset.h"
#include "core/snr.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>
#include <filesystem>

using namespace ds;

class SnrTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pixelAwareMatchesSeedClosedForm()
    {
        // SNR(j, t) = x̃0² / (e^{γ t x̃0} − 1), t = i/T.
        const double gamma = 20, eps = 4e-3;
        const int64_t T = 200;
        Schedule s(ScheduleSpec::pixelAware(T, gamma, eps), DataRange{eps, 1});
        auto x0 = at::tensor({0.004f, 0.1f, 0.5f, 1.0f}).reshape({1, 1, 2, 2});
        auto curves = snrCurves(s, x0).to(at::kDouble); // [T, 4]
        for (int64_t i : {1, 20, 100, 200}) {
            const double t = double(i) / T;
            for (int j = 0; j < 4; ++j) {
                const double x = x0.reshape({-1})[j].item<double>();
                const double expected = x * x / std::expm1(gamma * t * x);
                QVERIFY2(std::abs(curves[i - 1][j].item<double>() / expected - 1) < 1e-5,
                         qPrintable(QString("i=%1 x=%2").arg(i).arg(x)));
            }
        }
        // pixelSnr at one index agrees with the curves.
        DS_COMPARE_TENSORS(pixelSnr(s, x0, 99).reshape({-1}), curves[99].to(at::kFloat), 1e-6);
    }

    void linearUsesSameRescaledData()
    {
        Schedule linear(ScheduleSpec::linear(1000), DataRange{-1, 1});
        auto x0 = at::tensor({-1.0f, 1.0f}).reshape({1, 1, 1, 2});
        auto curves = snrCurves(linear, x0).to(at::kDouble);
        const double abar = linear.alphaBarAt(499);
        const double eps = 4e-3;
        QVERIFY(std::abs(curves[499][0].item<double>() - eps * eps * abar / (1 - abar)) < 1e-9);
        QVERIFY(std::abs(curves[499][1].item<double>() / (abar / (1 - abar)) - 1) < 1e-5);
    }

    void snrDecreasesMonotonically()
    {
        Schedule s(ScheduleSpec::pixelAware(200, 20), DataRange{0, 1});
        auto curves = snrCurves(s, at::rand({1, 1, 5, 5}) * 0.9 + 0.05);
        QVERIFY((curves.slice(0, 1) < curves.slice(0, 0, -1)).all().item<bool>());
    }

    void priorKlIsZeroForStandardNormalTerminal()
    {
        // With ᾱ_T → 0 the terminal law is N(0, 1): KL → 0. Linear T = 1000 has ᾱ_T ≈ 4e-5.
        Schedule s(ScheduleSpec::linear(1000));
        auto kl = terminalPriorKl(s, at::zeros({1, 1, 2, 2}));
        const double abar = s.alphaBarAt(999);
        const double v = 1 - abar;
        QVERIFY(std::abs(kl[0][0][0][0].item<double>() - 0.5 * (v - 1 - std::log(v))) < 1e-9);
        QVERIFY(kl.max().item<double>() < 1e-8);
    }

    void fashionMnistLeavesDarkPixelsNearlyClean()
    {
        // DESIGN.md: with T = 200, γ = 20 about half the Fashion-MNIST pixels keep terminal
        // variance < 0.5, because 1 − e^{−γ x̃0} < 0.5 ⟺ x̃0 < ln 2/γ ≈ 0.035. Check the
        // measured share against the share of pixels below that threshold, computed directly.
        if (!std::filesystem::exists(fashionMnistDir()))
            QSKIP("Fashion-MNIST not installed");
        DatasetOptions options;
        options.limit = 500;
        options.range = {4e-3, 1.0};
        auto data = loadDataset("fashion-mnist", options).images;
        Schedule s(ScheduleSpec::pixelAware(200, 20, 4e-3), options.range);
        auto summary = summarizePriorMismatch(s, data);
        const double direct = (data < std::log(2.0) / 20).to(at::kDouble).mean().item<double>();
        QVERIFY(std::abs(summary.fractionLowVariance - direct) < 1e-9);
        QVERIFY2(summary.fractionLowVariance > 0.4 && summary.fractionLowVariance < 0.65,
                 qPrintable(QString::number(summary.fractionLowVariance)));
        QVERIFY(summary.meanKl > 0.1); // far from N(0, I), unlike linear DDPM
    }
};

DS_TEST_SUITE(SnrTest, "snr");
#include "test_snr.moc"
