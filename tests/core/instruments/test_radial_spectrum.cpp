// The radial power spectrum on signals whose spectrum is known: white noise (flat at its
// variance), a pure sinusoid (one bin), and Parseval's identity.
#include "core/instruments/radial_spectrum.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

class RadialSpectrumTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void whiteNoiseIsFlatAtItsVariance()
    {
        // 400 draws of N(0, 0.5²) on 1×16×16: every bin's mean power is 0.25 within a few of its
        // standard errors (estimated from the draws themselves).
        at::manual_seed(3);
        auto x = 0.5 * at::randn({400, 1, 16, 16}, at::kDouble);
        auto s = radialPowerSpectrum(x);
        const auto mean = s.power.mean(0), se = s.power.std(0) / std::sqrt(400.0);
        QCOMPARE(s.power.size(1), radialBins(16, 16));
        for (int64_t r = 0; r < mean.size(0); ++r) {
            const double m = mean[r].item<double>(), e = se[r].item<double>();
            QVERIFY2(std::abs(m - 0.25) <= 4.5 * e, qPrintable(QString("bin %1: %2 ± %3").arg(r).arg(m).arg(e)));
        }
        // And the test can fail: smoothed noise (a 2×2 box, |H|² = (1 + cos ω_u)(1 + cos ω_v))
        // has 4× the power at 0 and almost none near the Nyquist radius.
        auto smooth = (x + x.roll(1, 2) + x.roll(1, 3) + x.roll({1, 1}, {2, 3})) / 2.0;
        auto t = meanRadialSpectrum(smooth);
        QVERIFY(t[0].item<double>() > 0.4 && t[8].item<double>() < 0.1);
    }

    void sinusoidPutsItsPowerInOneBin()
    {
        // cos(2π(3h/H + 4w/W)) has frequencies ±(3, 4), radius 5: all power there.
        const int64_t H = 16, W = 20;
        auto h = at::arange(H, at::kDouble).reshape({H, 1}), w = at::arange(W, at::kDouble).reshape({1, W});
        auto x = at::cos(2 * M_PI * (3.0 * h / H + 4.0 * w / W)).reshape({1, 1, H, W});
        auto s = radialPowerSpectrum(x);
        auto total = (s.power[0] * s.counts.to(at::kDouble)).sum().item<double>();
        QCOMPARE(total, x.square().sum().item<double>()); // H·W/2
        const double inFive = (s.power[0][5] * s.counts[5].to(at::kDouble)).item<double>();
        QVERIFY(std::abs(inFive - total) < 1e-9 * total);
        for (int64_t r = 0; r < s.power.size(1); ++r)
            if (r != 5)
                QVERIFY(s.power[0][r].item<double>() < 1e-20);
    }

    void parsevalHoldsPerImage()
    {
        // Σ_r counts_r · power_r · C = Σ x² for every image (odd and even sizes, 3 channels).
        auto x = at::randn({5, 3, 9, 12});
        auto s = radialPowerSpectrum(x);
        auto energy = (s.power * s.counts.to(at::kDouble)).sum(1) * 3.0;
        DS_COMPARE_TENSORS(energy, x.to(at::kDouble).square().sum({1, 2, 3}), 1e-9);
        QCOMPARE(s.counts.sum().item<int64_t>(), int64_t(9 * 12));
    }

    void framesAndBadInput()
    {
        auto frames = at::randn({3, 2, 1, 8, 8});
        frames[1].fill_(NAN);
        auto f = frameSpectra(frames);
        QCOMPARE(f.size(0), int64_t(3));
        DS_COMPARE_TENSORS(f[2], meanRadialSpectrum(frames[2]), 1e-12);
        QVERIFY(at::isnan(f[1]).all().item<bool>());
        DS_EXPECT_ERROR(radialPowerSpectrum(at::randn({8, 8})), "[N, C, H, W]");
        DS_EXPECT_ERROR(frameSpectra(at::randn({2, 1, 8, 8})), "[F, N, C, H, W]");
    }
};

DS_TEST_SUITE(RadialSpectrumTest, "radial_spectrum");
#include "test_radial_spectrum.moc"
