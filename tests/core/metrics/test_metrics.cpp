// Sample metrics: Fréchet distance closed forms, MMD and sliced Wasserstein on known laws,
// and the FID proxy's classifier (when the shipped checkpoint is present).
#include "core/data/dataset.h"
#include "core/data/toy_datasets.h"
#include "core/metrics/fid_proxy.h"
#include "core/metrics/frechet_distance.h"
#include "core/metrics/sample_metrics.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>
#include <filesystem>

using namespace ds;

class MetricsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void frechetOfGaussiansHasClosedForm()
    {
        // Diagonal covariances: d² = Σ (μ1 − μ2)² + Σ (σ1 − σ2)².
        GaussianStats a{at::tensor(std::vector<double>{0.0, 1.0}), at::diag(at::tensor(std::vector<double>{1.0, 4.0}))};
        GaussianStats b{at::tensor(std::vector<double>{3.0, 1.0}), at::diag(at::tensor(std::vector<double>{9.0, 1.0}))};
        QVERIFY(std::abs(frechetDistance(a, b) - (9.0 + 4.0 + 1.0)) < 1e-9);
        QVERIFY(std::abs(frechetDistance(a, a)) < 1e-9);
        // A rotated full covariance against itself is still zero.
        auto r = at::tensor(std::vector<double>{0.6, -0.8, 0.8, 0.6}).reshape({2, 2});
        GaussianStats c{at::zeros({2}, at::kDouble), at::matmul(at::matmul(r, a.covariance), r.t())};
        QVERIFY(std::abs(frechetDistance(c, c)) < 1e-9);
        QVERIFY(std::abs(frechetDistance(a, c)) > 0.1);
    }

    void statsOfSamplesApproachTheLaw()
    {
        auto x = at::randn({20000, 3}, at::kDouble) * 2 + 1;
        auto s = gaussianStats(x);
        DS_COMPARE_TENSORS(s.mean, at::ones({3}, at::kDouble), 0.05);
        DS_COMPARE_TENSORS(s.covariance, 4 * at::eye(3, at::kDouble), 0.15);
    }

    void mmdSeparatesLaws()
    {
        auto a = sampleToy("two-moons", 1500, 1), b = sampleToy("two-moons", 1500, 2);
        auto c = sampleToy("8-gaussians", 1500, 3);
        const double same = mmdSquared(a, b), different = mmdSquared(a, c);
        qInfo("MMD² same law %.5f, different laws %.5f", same, different);
        QVERIFY(std::abs(same) < 0.01);
        QVERIFY(different > 20 * std::abs(same) && different > 0.05);
    }

    void slicedWassersteinOfAShiftIsTheShiftsProjection()
    {
        // For y = x + v, every projection shifts by θᵀv, so SW2² = E_θ[(θᵀv)²] = ‖v‖²/D.
        auto x = at::randn({4000, 2}, at::kDouble);
        auto v = at::tensor(std::vector<double>{3.0, 4.0});
        const double sw = slicedWasserstein(x, x + v, 2000, 7);
        QVERIFY2(std::abs(sw - 5.0 / std::sqrt(2.0)) < 0.15, qPrintable(QString::number(sw)));
        QVERIFY(slicedWasserstein(x, x, 64, 1) < 1e-12);
    }

    void fidProxyRanksNoiseBelowData()
    {
        if (!std::filesystem::exists(FidProxy::defaultClassifierPath()) || !std::filesystem::exists(fashionMnistDir()))
            QSKIP("classifier or Fashion-MNIST missing");
        FidProxy fid;
        QVERIFY2(fid.testAccuracy() > 0.85, qPrintable(QString::number(fid.testAccuracy())));
        DatasetOptions options;
        options.limit = 2000;
        auto train = loadDataset("fashion-mnist", options);
        const double real = fid.score(train.images, train.range);
        const double noise = fid.score(at::rand({2000, 1, 28, 28}) * 2 - 1, {-1, 1});
        const double blurred = fid.score(train.images * 0.3, train.range); // washed-out images
        qInfo("FID proxy: 2000 training images %.2f, washed-out %.2f, uniform noise %.2f", real, blurred, noise);
        QVERIFY(real < blurred && blurred < noise);
    }
};

DS_TEST_SUITE(MetricsTest, "metrics");
#include "test_metrics.moc"
