// models/diffusers_unet, TorchScript export: the script computes what the module does, on the
// fixtures' weights and on every exportable option, holds copies of the weights under diffusers'
// names, and refuses the blocks it cannot write.
#include "core/io/npy.h"
#include "diffusers_unet_fixtures.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <torch/script.h>

#include <algorithm>
#include <filesystem>

using namespace ds;
using namespace ds::test::unet;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Every parameter += 0.05·randn (seeded), so no weight sits at an init pattern (zero biases,
// unit norms) that could hide a wrong term in the script.
void perturbWeights(DiffusersUNet2D& net, uint64_t seed)
{
    c10::NoGradGuard noGrad;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (const auto& [name, p] : diffusersStateDict(net))
        p.add_(at::randn(p.sizes(), generator, p.options()) * 0.05);
}

at::Tensor runScript(torch::jit::Module& m, const at::Tensor& x, const at::Tensor& t)
{
    c10::NoGradGuard noGrad;
    return m.forward({x, t}).toTensor();
}

} // namespace

class DiffusersUNetScriptTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { requireUNetFolders(); }

    // The TorchScript export computes what the module does, on diffusers' own fixture weights.
    void scriptMatchesOnFixtures()
    {
        for (const auto& dir : unetFolders()) {
            auto net = loadedNet(dir);
            auto script = net->exportScript();
            const at::Tensor x = loadNpy((dir / "fwd_x.npy").string()).to(at::kFloat);
            for (const char* stem : {"fwd_t0", "fwd_t1"}) {
                const fs::path steps = dir / (std::string(stem) + ".npy");
                if (!fs::exists(steps))
                    continue;
                const at::Tensor t = loadNpy(steps.string()).to(at::kLong);
                const at::Tensor native = run(net, x, t), scripted = runScript(script, x, t);
                const double diff = test::maxRelativeError(scripted, native);
                qInfo("%s %s: max |script − module| / max |module| = %.2g", dir.filename().c_str(), stem, diff);
                QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
                const fs::path reference = dir / (std::string(stem) + "_out_f32.npy");
                if (fs::exists(reference)) // and diffusers' own output
                    QVERIFY(test::maxRelativeError(scripted, loadNpy(reference.string()).to(at::kFloat)) <= kRelTol);
            }
        }
    }

    // Each exportable block type and option, random weights: the script equals the module.
    void scriptMatchesVariants_data()
    {
        QTest::addColumn<QString>("patch");
        auto row = [](const char* n, const char* patch) { QTest::newRow(n) << QString(patch); };
        row("down/attn down, attn up/up", R"({})");
        row("scale_shift", R"({"resnet_time_scale_shift": "scale_shift"})");
        row("scale_shift, mid attn groups", R"({"resnet_time_scale_shift": "scale_shift", "attn_norm_num_groups": 4})");
        row("resnet down/up samplers", R"({"downsample_type": "resnet", "upsample_type": "resnet"})");
        row("resnet blocks", R"({"down_block_types": ["ResnetDownsampleBlock2D", "AttnDownBlock2D"], "up_block_types": ["AttnUpBlock2D", "ResnetUpsampleBlock2D"]})");
        row("no flip, freq_shift 1, centred", R"({"flip_sin_to_cos": false, "freq_shift": 1, "center_input_sample": true})");
        row("padding 0, mish, 2 layers", R"({"downsample_padding": 0, "act_fn": "mish", "layers_per_block": 2})");
        row("gelu, time dim 40, width 20", R"({"act_fn": "gelu", "block_out_channels": [20, 32], "norm_num_groups": 4, "time_embedding_dim": 40, "attention_head_dim": 4})");
        row("odd embedding width", R"({"block_out_channels": [15, 30], "norm_num_groups": 5, "attention_head_dim": 5})");
        row("relu, one head, mid scale", R"({"act_fn": "relu", "attention_head_dim": null, "mid_block_scale_factor": 1.41421356})");
        row("no mid attention", R"({"add_attention": false})");
        row("no mid block", R"({"mid_block_type": null})");
        row("fourier", R"({"time_embedding_type": "fourier"})");
        row("learned", R"({"time_embedding_type": "learned", "num_train_timesteps": 1000})");
        row("3 levels", R"({"block_out_channels": [16, 16, 32], "down_block_types": ["AttnDownBlock2D", "DownBlock2D", "ResnetDownsampleBlock2D"], "up_block_types": ["ResnetUpsampleBlock2D", "UpBlock2D", "AttnUpBlock2D"], "norm_eps": 1e-06})");
    }
    void scriptMatchesVariants()
    {
        QFETCH(QString, patch);
        const auto config = DiffusersUNetConfig::fromJson(patched(smallConfig(), patch.toStdString()), "variant");
        DiffusersUNet2D net(config);
        perturbWeights(net, 7);
        net->eval();
        auto script = net->exportScript();
        const bool fourier = config.timeEmbeddingType == "fourier";
        const at::Tensor x = at::randn({3, 2, 8, 8});
        const at::Tensor t = fourier ? at::tensor({0.5, 20.0, 3.0}, at::kFloat) : at::tensor({0, 999, 17}, at::kLong);
        const at::Tensor native = run(net, x, t);
        const double diff = test::maxRelativeError(runScript(script, x, t), native);
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
        // One timestep for the whole batch broadcasts in the script as in the module.
        const at::Tensor one = fourier ? at::tensor({2.0}, at::kFloat) : at::tensor({250}, at::kLong);
        QVERIFY(test::maxRelativeError(runScript(script, x, one), run(net, x, one)) <= 1e-5);
    }

    // The script holds copies of the weights under diffusers' names ('.' written as '_').
    void scriptHoldsCopiesUnderDiffusersNames()
    {
        DiffusersUNet2D net(DiffusersUNetConfig::fromJson(smallConfig(), "small"));
        auto script = net->exportScript();
        std::map<std::string, at::Tensor> params;
        for (const auto& p : script.named_parameters(/*recurse=*/false))
            params[p.name] = p.value;
        const auto state = diffusersStateDict(net);
        QCOMPARE(params.size(), state.size());
        for (const auto& [name, tensor] : state) {
            std::string flat = name;
            std::replace(flat.begin(), flat.end(), '.', '_');
            QVERIFY2(params.count(flat) && at::equal(params.at(flat), tensor), flat.c_str());
        }
        const at::Tensor x = at::randn({1, 2, 8, 8}), t = at::tensor({5}, at::kLong);
        const at::Tensor before = runScript(script, x, t);
        {
            c10::NoGradGuard noGrad;
            state.at("conv_out.bias").add_(1.0); // the module changes; its export does not
        }
        DS_COMPARE_TENSORS(runScript(script, x, t), before, 0.0);
    }

    void scriptKeepsTheFirstChannelsAndRefusesSkipBlocks()
    {
        DiffusersUNet2D wide(DiffusersUNetConfig::fromJson(patched(smallConfig(), R"({"out_channels": 4})"), "wide"));
        auto script = wide->exportScript(2);
        const at::Tensor x = at::randn({2, 2, 8, 8}), t = at::tensor({1, 2}, at::kLong);
        DS_COMPARE_TENSORS(runScript(script, x, t), run(wide, x, t).narrow(1, 0, 2), 1e-6);
        const json skip = patched(smallConfig(), R"({"in_channels": 3, "out_channels": 3, "block_out_channels": [32, 64], "down_block_types": ["SkipDownBlock2D", "AttnSkipDownBlock2D"], "up_block_types": ["AttnSkipUpBlock2D", "SkipUpBlock2D"]})");
        DiffusersUNet2D skipNet(DiffusersUNetConfig::fromJson(skip, "skip"));
        DS_EXPECT_ERROR(skipNet->exportScript(), "down_block_types[0] is SkipDownBlock2D");
    }
};

DS_TEST_SUITE(DiffusersUNetScriptTest, "diffusers_unet_script");
#include "test_diffusers_unet_script.moc"
