// The fused per-step updates of training: the EMA against its per-tensor formula, gradient
// clipping against LibTorch's clip_grad_norm_ (above and below the threshold).
#include "core/training/parameter_updates.h"
#include "models/registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTest>
#include <torch/nn/utils/clip_grad.h>

using namespace ds;

namespace {

Network mlp(uint64_t seed)
{
    torch::manual_seed(seed);
    return buildNetwork({{"kind", "mlp"}, {"dims", 2}, {"hidden", 16}, {"layers", 2}, {"time_dim", 8}});
}

// Gradients of a seeded loss, scaled by `factor`.
void fillGradients(Network& net, double factor)
{
    for (auto& p : net->parameters())
        p.mutable_grad() = at::randn_like(p) * factor;
}

} // namespace

class ParameterUpdatesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void emaMatchesThePerTensorFormula()
    {
        auto live = mlp(1), ema = mlp(2);
        std::vector<at::Tensor> expected;
        const auto a = ema->parameters(), b = live->parameters();
        for (size_t i = 0; i < a.size(); ++i)
            expected.push_back(0.9 * a[i].detach() + 0.1 * b[i].detach());
        updateEma(*ema, *live, 0.9);
        const auto after = ema->parameters();
        QVERIFY(after.size() > 3);
        for (size_t i = 0; i < after.size(); ++i)
            DS_COMPARE_TENSORS(after[i].detach(), expected[i], 1e-6);
    }

    void clippingMatchesLibTorch_data()
    {
        QTest::addColumn<double>("factor");
        QTest::newRow("above the threshold") << 10.0;
        QTest::newRow("below the threshold") << 1e-3;
    }

    void clippingMatchesLibTorch()
    {
        QFETCH(double, factor);
        auto a = mlp(3), b = mlp(3);
        torch::manual_seed(9);
        fillGradients(a, factor);
        torch::manual_seed(9);
        fillGradients(b, factor);
        clipGradNorm(*a, 1.0);
        torch::nn::utils::clip_grad_norm_(b->parameters(), 1.0);
        const auto ga = a->parameters(), gb = b->parameters();
        double norm = 0;
        for (size_t i = 0; i < ga.size(); ++i) {
            DS_COMPARE_TENSORS(ga[i].grad(), gb[i].grad(), 1e-6 * std::max(1.0, factor));
            norm += ga[i].grad().square().sum().item<double>();
        }
        if (factor > 1)
            QVERIFY(std::abs(std::sqrt(norm) - 1.0) < 1e-5); // clipped to norm 1
    }

    void clippingWithoutGradientsDoesNothing()
    {
        auto net = mlp(4);
        clipGradNorm(*net, 1.0); // no .grad() yet: no throw, nothing to scale
        for (const auto& p : net->parameters())
            QVERIFY(!p.grad().defined());
    }
};

DS_TEST_SUITE(ParameterUpdatesTest, "parameter_updates");
#include "test_parameter_updates.moc"
