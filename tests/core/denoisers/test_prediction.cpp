// ε / x0 / v conversions are exact inverses of each other and of the forward closed form.
#include "core/denoisers/prediction.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

using namespace ds;

class PredictionTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void conversionsRecoverTheTruth_data()
    {
        QTest::addColumn<double>("alphaBar");
        QTest::newRow("early") << 0.999;
        QTest::newRow("middle") << 0.5;
        QTest::newRow("late") << 0.01;
    }
    void conversionsRecoverTheTruth()
    {
        QFETCH(double, alphaBar);
        auto abar = at::full({1, 1, 1, 1}, alphaBar, at::kDouble);
        auto x0 = at::randn({4, 3, 5, 5}, at::kDouble);
        auto eps = at::randn({4, 3, 5, 5}, at::kDouble);
        auto xt = at::sqrt(abar) * x0 + at::sqrt(1 - abar) * eps;
        auto v = at::sqrt(abar) * eps - at::sqrt(1 - abar) * x0;
        const std::pair<Prediction, at::Tensor> truths[] = {{Prediction::Epsilon, eps}, {Prediction::X0, x0}, {Prediction::V, v}};
        for (const auto& [from, output] : truths)
            for (const auto& [to, expected] : truths)
                DS_COMPARE_TENSORS(convertPrediction(from, to, output, xt, abar), expected, 1e-9);
    }

    void perPixelAlphaBarBroadcasts()
    {
        auto abar = at::rand({1, 1, 4, 4}, at::kDouble) * 0.98 + 0.01;
        auto x0 = at::randn({2, 1, 4, 4}, at::kDouble);
        auto eps = at::randn({2, 1, 4, 4}, at::kDouble);
        auto xt = at::sqrt(abar) * x0 + at::sqrt(1 - abar) * eps;
        DS_COMPARE_TENSORS(x0From(Prediction::Epsilon, eps, xt, abar), x0, 1e-9);
        DS_COMPARE_TENSORS(epsilonFrom(Prediction::X0, x0, xt, abar), eps, 1e-8);
    }

    void namesRoundTrip()
    {
        for (auto p : {Prediction::Epsilon, Prediction::X0, Prediction::V})
            QCOMPARE(int(predictionFromString(name(p))), int(p));
        DS_EXPECT_ERROR(predictionFromString("score"), "expected epsilon|x0|v");
    }
};

DS_TEST_SUITE(PredictionTest, "prediction");
#include "test_prediction.moc"
