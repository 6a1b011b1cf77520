// Exports for elsewhere: a TorchScript copy of a checkpoint computes what the checkpoint does
// (for the UNet and the MLP), loads as a diffscope TorchScript model, and a slim copy keeps
// only the EMA weights. Diffusers: a UNet2DModel folder exports to TorchScript, and a native
// diffusers-unet checkpoint converts to a folder that opens with the same network and schedule.
#include "core/denoisers/diffusers_model.h"
#include "core/denoisers/torchscript_denoiser.h"
#include "models/error.h"
#include "core/export/model_export.h"
#include "core/io/checkpoint.h"
#include "core/io/npy.h"
#include "models/diffusers_unet.h"
#include "models/registry.h"
#include "models/script_export.h"
#include "models/unet.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>
#include <torch/script.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace ds;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtureA = fs::path(ds::test::fixturesDir()) / "diffusers" / "A";

// A 2-level diffusers UNet for 2×8×8 samples, as `train` would build it.
nlohmann::json tinyDiffusersNetwork()
{
    return {{"kind", "diffusers-unet"},
            {"config", {{"in_channels", 2}, {"out_channels", 2}, {"sample_size", 8}, {"block_out_channels", {8, 16}},
                        {"layers_per_block", 1}, {"norm_num_groups", 4}, {"attention_head_dim", 4},
                        {"down_block_types", {"DownBlock2D", "AttnDownBlock2D"}},
                        {"up_block_types", {"AttnUpBlock2D", "UpBlock2D"}}}}};
}

nlohmann::json readJson(const fs::path& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

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

    void diffusersFolderExportsAndLoads()
    {
        const auto pt = dir_.filePath("a.pt").toStdString();
        auto check = exportTorchScript(kFixtureA.string(), pt);
        QVERIFY(check.maxDifference < 1e-5);
        auto folder = DiffusersDenoiser::open(kFixtureA.string());
        auto exported = TorchScriptDenoiser::load(pt);
        QCOMPARE(exported->info().parameters, folder->info().parameters);
        QCOMPARE(int(exported->info().prediction), int(folder->info().prediction));
        QVERIFY(exported->info().shape == folder->info().shape);
        QCOMPARE(toJson(exported->info().schedule).dump(), toJson(folder->info().schedule).dump());
        const at::Tensor x = loadNpy((kFixtureA / "fwd_x.npy").string()).to(at::kFloat);
        const at::Tensor t = loadNpy((kFixtureA / "fwd_t1.npy").string()).to(at::kLong);
        const at::Tensor reference = loadNpy((kFixtureA / "fwd_t1_out_f32.npy").string());
        const at::Tensor out = (*exported)(x, t);
        QVERIFY(test::maxAbsDiff(out, (*folder)(x, t)) <= 1e-5 * reference.abs().max().item<double>());
        QVERIFY(test::maxAbsDiff(out, reference) <= 1e-4 * reference.abs().max().item<double>());
    }

    void diffusersNetworksExportFromCheckpoints()
    {
        auto net = buildNetwork(tinyDiffusersNetwork());
        const auto ckpt = dir_.filePath("d.dsckpt").toStdString(), pt = dir_.filePath("d.pt").toStdString();
        saveCheckpoint(ckpt, headerFor(*net, {2, 8, 8}), CheckpointContents::emaOnly(net.get()));
        QVERIFY(exportTorchScript(ckpt, pt).maxDifference < 1e-5);
        QCOMPARE(TorchScriptDenoiser::load(pt)->info().parameters, net->parameterCount());
    }

    // Each schedule goes to a DDPMScheduler config that reads back as the same ᾱ table, and the
    // folder's network computes exactly what the checkpoint's does.
    void convertWritesADiffusersFolder_data()
    {
        QTest::addColumn<QString>("schedule");
        QTest::addColumn<QString>("prediction");
        QTest::addColumn<QString>("written"); // beta_schedule, or "trained_betas"
        QTest::newRow("linear") << R"({"kind":"linear","T":1000,"beta_start":0.0001,"beta_end":0.02})" << "epsilon" << "linear";
        QTest::newRow("cosine") << R"({"kind":"cosine","T":400})" << "v" << "squaredcos_cap_v2";
        QTest::newRow("cosine s=0.01") << R"({"kind":"cosine","T":300,"s":0.01})" << "epsilon" << "trained_betas";
        QTest::newRow("scaled_linear") << R"({"kind":"scaled_linear","T":500,"beta_start":0.00085,"beta_end":0.012})" << "x0" << "scaled_linear";
        QTest::newRow("sigmoid") << R"({"kind":"sigmoid","T":200,"beta_start":0.0001,"beta_end":0.02})" << "epsilon" << "sigmoid";
        QTest::newRow("betas") << R"({"kind":"betas","betas":[0.001,0.01,0.1,0.3]})" << "epsilon" << "trained_betas";
        QTest::newRow("alphas_cumprod") << R"({"kind":"alphas_cumprod","alphas_cumprod":[0.99,0.9,0.5,0.2,0.05]})" << "v" << "trained_betas";
        QTest::newRow("zero-SNR linear") << R"({"kind":"linear","T":100,"beta_start":0.0001,"beta_end":0.02,"rescale_zero_terminal_snr":true})" << "v" << "linear";
    }
    void convertWritesADiffusersFolder()
    {
        QFETCH(QString, schedule);
        QFETCH(QString, prediction);
        QFETCH(QString, written);
        auto net = buildNetwork(tinyDiffusersNetwork());
        CheckpointHeader h = headerFor(*net, {2, 8, 8});
        h.schedule = scheduleSpecFromJson(nlohmann::json::parse(schedule.toStdString()), "test");
        h.prediction = predictionFromString(prediction.toStdString());
        const auto ckpt = dir_.filePath("c.dsckpt").toStdString();
        const auto folder = dir_.filePath("folder-" + QString(QTest::currentDataTag())).toStdString();
        saveCheckpoint(ckpt, h, CheckpointContents::emaOnly(net.get()));
        const auto summary = writeDiffusersFolder(ckpt, folder);
        QCOMPARE(QString::fromStdString(summary.betaSchedule), written);
        QVERIFY(summary.clipSample); // images in [−1, 1]
        for (const char* file : {"model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                                 "scheduler/scheduler_config.json"})
            QVERIFY2(fs::is_regular_file(fs::path(folder) / file), file);
        QVERIFY(!fs::exists(folder + ".tmp-" + std::to_string(::getpid())));
        const auto config = readJson(fs::path(folder) / "scheduler/scheduler_config.json");
        QCOMPARE(config["_class_name"].get<std::string>(), std::string("DDPMScheduler"));
        QCOMPARE(config["clip_sample_range"].get<double>(), 1.0);

        auto opened = DiffusersDenoiser::open(folder);
        QCOMPARE(int(opened->info().prediction), int(h.prediction));
        QCOMPARE(opened->info().parameters, net->parameterCount());
        const at::Tensor want = Schedule(h.schedule).alphasCumprod(), got = Schedule(opened->info().schedule).alphasCumprod();
        QCOMPARE(got.size(0), want.size(0));
        QVERIFY2(test::maxAbsDiff(got, want) <= 1e-12, qPrintable(QString::number(test::maxAbsDiff(got, want))));
        const at::Tensor x = at::randn({3, 2, 8, 8}), k = at::tensor({0L, 1L, int64_t(h.schedule.T - 1)});
        torch::NoGradGuard noGrad;
        DS_COMPARE_TENSORS((*opened)(x, k), net->forward(x, k), 0.0);
    }

    void convertRefusesWhatItCannotWrite()
    {
        auto unet = buildNetwork({{"kind", "unet"}, {"channels", 1}, {"image_size", 8}, {"base_channels", 8}, {"multipliers", {1, 2}}});
        const auto native = dir_.filePath("native.dsckpt").toStdString();
        saveCheckpoint(native, headerFor(*unet, {1, 8, 8}), CheckpointContents::emaOnly(unet.get()));
        DS_EXPECT_ERROR(writeDiffusersFolder(native, dir_.filePath("x").toStdString()),
                        "network kind 'unet' does not convert to a diffusers folder; only network kind 'diffusers-unet'");
        auto net = buildNetwork(tinyDiffusersNetwork());
        CheckpointHeader h = headerFor(*net, {2, 8, 8});
        h.schedule = ScheduleSpec::pixelAware(50);
        const auto pixel = dir_.filePath("pixel.dsckpt").toStdString();
        saveCheckpoint(pixel, h, CheckpointContents::emaOnly(net.get()));
        DS_EXPECT_ERROR(writeDiffusersFolder(pixel, dir_.filePath("y").toStdString()), "per-pixel");
        QVERIFY(!fs::exists(dir_.filePath("y").toStdString()));
        QVERIFY(!fs::exists(dir_.filePath("y").toStdString() + ".tmp-" + std::to_string(::getpid())));
        fs::create_directories(dir_.filePath("taken").toStdString());
        DS_EXPECT_ERROR(writeDiffusersFolder(native, dir_.filePath("taken").toStdString()), "already exists");
    }

    void classifiersDoNotExport()
    {
        auto net = buildNetwork({{"kind", "classifier"}});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, exportToTorchScript(*net));
    }
};

DS_TEST_SUITE(ModelExportTest, "model_export");
#include "test_model_export.moc"
