// Exports for elsewhere: a TorchScript copy of a checkpoint computes what the checkpoint does
// (for the UNet and the MLP), loads as a diffscope TorchScript model, and a slim copy keeps
// only the EMA weights.
#include "core/denoisers/torchscript_denoiser.h"
#include "core/error.h"
#include "core/export/model_export.h"
#include "core/io/checkpoint.h"
#include "models/registry.h"
#include "models/script_export.h"
#include "models/unet.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>
#include <torch/script.h>

using namespace ds;

namespace {

CheckpointHeader headerFor(const NetworkImpl& net, std::array<int64_t, 3> shape)
{
    CheckpointHeader h;
    h.network = net.config();
    h.shape = shape;
    h.schedule = ScheduleSpec::cosine(500);
    h.prediction = Prediction::V;
    h.trainingState = false;
    return h;
}

} // namespace

class ModelExportTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void scriptedNetworksMatchNative_data()
    {
        QTest::addColumn<QString>("config");
        QTest::newRow("unet 1x28") << R"({"kind":"unet","channels":1,"image_size":28,"base_channels":16,"multipliers":[1,2,2],"attention_resolutions":[7,14]})";
        QTest::newRow("unet 3x16 two blocks") << R"({"kind":"unet","channels":3,"image_size":16,"base_channels":8,"multipliers":[1,2],"res_blocks":2,"attention_resolutions":[8]})";
        QTest::newRow("unet odd 12") << R"({"kind":"unet","channels":1,"image_size":12,"base_channels":8,"multipliers":[1,1,2],"attention_resolutions":[]})";
        QTest::newRow("mlp") << R"({"kind":"mlp","dims":2,"hidden":32,"layers":3,"time_dim":8})";
    }
    void scriptedNetworksMatchNative()
    {
        QFETCH(QString, config);
        auto net = buildNetwork(nlohmann::json::parse(config.toStdString()));
        net->eval();
        auto scripted = exportToTorchScript(*net);
        auto j = net->config();
        const int64_t c = j.value("channels", j.value("dims", int64_t(2))), side = j.value("image_size", int64_t(1));
        auto x = at::randn({3, c, side, side});
        auto k = at::tensor({0L, 17L, 499L});
        torch::NoGradGuard noGrad;
        DS_COMPARE_TENSORS(scripted.forward({x, k}).toTensor(), net->forward(x, k), 1e-5);
    }

    void exportedFileLoadsAsADiffscopeModel()
    {
        auto net = buildNetwork({{"kind", "unet"}, {"channels", 1}, {"image_size", 8}, {"base_channels", 8}, {"multipliers", {1, 2}},
                                 {"attention_resolutions", {4}}});
        const auto ckpt = dir_.filePath("u.dsckpt").toStdString(), pt = dir_.filePath("u.pt").toStdString();
        saveCheckpoint(ckpt, headerFor(*net, {1, 8, 8}), CheckpointContents::emaOnly(net.get()));
        auto check = exportTorchScript(ckpt, pt);
        QVERIFY(check.maxDifference < 1e-5);
        auto loaded = TorchScriptDenoiser::load(pt);
        QCOMPARE(int(loaded->info().prediction), int(Prediction::V));
        QCOMPARE(int(loaded->info().schedule.kind), int(ScheduleKind::Cosine));
        QCOMPARE(loaded->info().parameters, net->parameterCount());
    }

    void slimCopyDropsTrainingState()
    {
        auto net = buildNetwork({{"kind", "mlp"}, {"hidden", 16}, {"layers", 1}, {"time_dim", 8}});
        const auto full = dir_.filePath("full.dsckpt").toStdString(), slim = dir_.filePath("slim.dsckpt").toStdString();
        saveCheckpoint(full, headerFor(*net, {2, 1, 1}), CheckpointContents::emaOnly(net.get()));
        writeSlimCheckpoint(full, slim);
        auto back = loadCheckpoint(slim);
        QVERIFY(!back.header.trainingState && !back.weights);
        QVERIFY(at::equal(back.ema->parameters()[0], net->parameters()[0]));
    }

    void classifiersDoNotExport()
    {
        auto net = buildNetwork({{"kind", "classifier"}});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, exportToTorchScript(*net));
    }
};

DS_TEST_SUITE(ModelExportTest, "model_export");
#include "test_model_export.moc"
