// Networks: output shapes, registry round trips through JSON, parameter counts, FLOP estimates,
// sinusoidal embedding, and bad configs.
#include "models/classifier.h"
#include "models/mlp.h"
#include "models/registry.h"
#include "models/time_embedding.h"
#include "models/unet.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <torch/nn/module.h>

#include <cmath>

using namespace ds;

class ModelsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unetKeepsTheInputShape_data()
    {
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("size");
        QTest::newRow("fashion 1x28x28") << 1 << 28;
        QTest::newRow("rgb 3x32x32") << 3 << 32;
        QTest::newRow("odd 1x12x12") << 1 << 12;
    }
    void unetKeepsTheInputShape()
    {
        QFETCH(int, channels);
        QFETCH(int, size);
        UNetConfig c;
        c.channels = channels;
        c.imageSize = size;
        c.baseChannels = 16;
        c.attentionResolutions = {(size + 3) / 4}; // the lowest resolution
        auto net = buildNetwork(c.toJson());
        auto x = at::randn({2, channels, size, size});
        auto y = net->forward(x, at::tensor({0L, 999L}));
        QCOMPARE(y.sizes(), x.sizes());
        QVERIFY(at::isfinite(y).all().item<bool>());
    }

    void registryRebuildsTheSameArchitecture()
    {
        for (auto config : {UNetConfig{}.toJson(), MlpConfig{}.toJson(), ClassifierConfig{}.toJson()}) {
            auto a = buildNetwork(config);
            auto b = buildNetwork(a->config());
            QCOMPARE(a->config().dump(), b->config().dump());
            QCOMPARE(a->parameterCount(), b->parameterCount());
            QVERIFY(a->flopsPerSample() > 0);
        }
    }

    void mlpParameterCountAndFlopsAreExact()
    {
        MlpConfig c; // dims 2, hidden 128, layers 3, time 32
        Mlp net(c);
        const int64_t expected = (34 * 128 + 128) + 2 * (128 * 128 + 128) + (128 * 2 + 2);
        QCOMPARE(net->parameterCount(), expected);
        QCOMPARE(net->flopsPerSample(), 2.0 * (34 * 128 + 2 * 128 * 128 + 128 * 2));
    }

    void unetFlopsMatchAHandCountOfTheInputConv()
    {
        // The estimate grows by exactly the input and output convs when channels go 1 → 3.
        UNetConfig gray, rgb;
        rgb.channels = 3;
        const double extra = UNet(rgb)->flopsPerSample() - UNet(gray)->flopsPerSample();
        const double perChannel = 2.0 * 9 * 32 * 28 * 28; // one more input and output channel of a 3×3 conv
        QVERIFY(std::abs(extra - 2 * 2 * perChannel) < 1e-6 * extra);
    }

    void sinusoidalEmbeddingHasUnitPairs()
    {
        auto e = sinusoidalEmbedding(at::tensor({0L, 5L, 999L}), 16);
        QCOMPARE(e.sizes(), (at::IntArrayRef{3, 16}));
        // sin² + cos² = 1 for every frequency; at k = 0 the sines vanish.
        DS_COMPARE_TENSORS(e.narrow(1, 0, 8).square() + e.narrow(1, 8, 8).square(), at::ones({3, 8}), 1e-6);
        DS_COMPARE_TENSORS(e[0].narrow(0, 0, 8), at::zeros({8}), 0);
    }

    void classifierGivesFeaturesAndLogits()
    {
        FeatureClassifierImpl net(ClassifierConfig{});
        auto x = at::randn({4, 1, 28, 28});
        QCOMPARE(net.features(x).sizes(), (at::IntArrayRef{4, 128}));
        QCOMPARE(net.logits(x).sizes(), (at::IntArrayRef{4, 10}));
    }

    void badConfigsAreRejected()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildNetwork({{"kind", "transformer"}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildNetwork({{"channels", 1}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildNetwork({{"kind", "unet"}, {"base_channels", 30}, {"groups", 8}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildNetwork({{"kind", "mlp"}, {"layers", 0}}));
    }
};

DS_TEST_SUITE(ModelsTest, "models");
#include "test_models.moc"
