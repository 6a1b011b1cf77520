// models/diffusers_unet, configs and inputs: every config diffusers' UNet2DModel can hold either
// builds (and names its tensors as diffusers does) or is refused naming the file and the key; configs
// round-trip through JSON; the network kind "diffusers-unet"; bad inputs; the FLOP count.
#include "models/error.h"
#include "diffusers_unet_fixtures.h"
#include "models/registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <filesystem>
#include <stdexcept>

using namespace ds;
using namespace ds::test::unet;
namespace fs = std::filesystem;
using nlohmann::json;

class DiffusersUNetConfigTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void badConfigsAreRefusedByName_data()
    {
        QTest::addColumn<QString>("patch"); // a JSON object merged into the small config
        QTest::addColumn<QString>("text");
        auto row = [](const char* name, const char* patch, const char* text) { QTest::newRow(name) << QString(patch) << QString::fromUtf8(text); };
        row("unknown block", R"({"down_block_types": ["DownBlock2D", "FancyBlock2D"]})", "down_block_types[1] \"FancyBlock2D\" is not a block type");
        row("cross-attention block", R"({"up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"]})", "up_block_types[0] \"CrossAttnUpBlock2D\"");
        row("skip without RGB", R"({"down_block_types": ["SkipDownBlock2D", "AttnDownBlock2D"]})", "in_channels must be 3 for SkipDownBlock2D");
        row("class embed", R"({"class_embed_type": "timestep"})", "class_embed_type is \"timestep\"");
        row("class count", R"({"num_class_embeds": 10})", "num_class_embeds is 10");
        row("unknown option", R"({"use_magic": true})", "use_magic is not a UNet2DModel option");
        row("wrong class", R"({"_class_name": "UNet2DConditionModel"})", "_class_name");
        row("count mismatch", R"({"block_out_channels": [16, 32, 32]})", "one entry per block_out_channels");
        row("groups", R"({"norm_num_groups": 5})", "norm_num_groups 5 does not divide");
        row("null groups", R"({"norm_num_groups": null})", "norm_num_groups must be an integer");
        row("heads", R"({"attention_head_dim": 64})", "attention_head_dim 64 exceeds");
        row("activation", R"({"act_fn": "tanh"})", "act_fn \"tanh\" is not one of");
        row("shift", R"({"resnet_time_scale_shift": "spatial"})", "resnet_time_scale_shift \"spatial\"");
        row("time type", R"({"time_embedding_type": "rotary"})", "time_embedding_type \"rotary\"");
        row("learned no T", R"({"time_embedding_type": "learned"})", "num_train_timesteps must be set");
        row("downsample", R"({"downsample_type": "fir"})", "downsample_type \"fir\"");
        row("mid type", R"({"mid_block_type": "UNetMidBlock2DCrossAttn"})", "mid_block_type");
        row("type error", R"({"layers_per_block": "two"})", "layers_per_block must be an integer");
        row("zero layers", R"({"layers_per_block": 0})", "layers_per_block must be an integer ≥ 1");
        row("channels", R"({"block_out_channels": [16, -32]})", "block_out_channels must be a non-empty list");
        row("eps", R"({"norm_eps": 0})", "norm_eps must be > 0");
        row("freq shift", R"({"freq_shift": 8})", "freq_shift equals half");
    }
    void badConfigsAreRefusedByName()
    {
        QFETCH(QString, patch);
        QFETCH(QString, text);
        const json config = patched(smallConfig(), patch.toStdString());
        DS_EXPECT_ERROR(DiffusersUNetConfig::fromJson(config, "cfg.json"), text.toStdString());
        try {
            DiffusersUNetConfig::fromJson(config, "cfg.json");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).rfind("cfg.json: ", 0) == 0, e.what()); // names the file first
        }
    }

    void configRoundTripsThroughJson()
    {
        for (const auto& dir : unetFolders()) {
            const json original = readJson(dir / "config.json");
            const json written = configOf(dir).toJson();
            for (auto it = written.begin(); it != written.end(); ++it)
                if (original.contains(it.key()))
                    QVERIFY2(original[it.key()] == it.value(), it.key().c_str());
            QVERIFY(DiffusersUNetConfig::fromJson(written, "again").toJson() == written);
        }
        auto c = DiffusersUNetConfig::fromJson(json::object(), "defaults"); // diffusers' defaults
        QVERIFY(c.blockOutChannels == (std::vector<int64_t>{224, 448, 672, 896}));
        QCOMPARE(c.timeEmbedDim(), int64_t(896));
        QCOMPARE(c.normNumGroups, int64_t(32));
        QVERIFY(DiffusersUNetConfig::fromJson(json{{"down_block_types", {"UNetResDownBlock2D"}},
                                                    {"up_block_types", {"UpBlock2D"}}, {"block_out_channels", {32}}},
                                               "prefix")
                    .downBlockTypes.front() == "DownBlock2D");
    }

    void badInputsAreRefused()
    {
        DiffusersUNet2D net(DiffusersUNetConfig::fromJson(smallConfig(), "small"));
        const at::Tensor t = at::tensor({3, 4}, at::kLong);
        DS_EXPECT_ERROR(run(net, at::zeros({2, 3, 8, 8}), t), "x must be a float [N, 2, H, W]");
        DS_EXPECT_ERROR(run(net, at::zeros({2, 2, 7, 8}), t), "multiples of 2");
        DS_EXPECT_ERROR(run(net, at::zeros({2, 2, 8, 8}), at::tensor({1, 2, 3}, at::kLong)), "t must hold 1 or 2");
        DS_EXPECT_ERROR(run(net, at::zeros({2, 2, 8, 8}, at::kLong), t), "float");
        json learned = smallConfig();
        learned["time_embedding_type"] = "learned";
        learned["num_train_timesteps"] = 10;
        DiffusersUNet2D table(DiffusersUNetConfig::fromJson(learned, "learned"));
        DS_EXPECT_ERROR(run(table, at::zeros({1, 2, 8, 8}), at::tensor({10}, at::kLong)), "outside the learned embedding");
        QVERIFY(run(table, at::zeros({1, 2, 8, 8}), at::tensor({9}, at::kLong)).sizes() == at::IntArrayRef({1, 2, 8, 8}));
    }

    // Every supported option builds, names its tensors as diffusers, runs and reloads its own state.
    void variantsBuildRunAndReload_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("name"); // a tensor name the variant must have ("" none)
        auto row = [](const char* n, const char* patch, const char* name) { QTest::newRow(n) << QString(patch) << QString(name); };
        row("scale_shift", R"({"resnet_time_scale_shift": "scale_shift"})", "mid_block.attentions.0.to_q.weight");
        row("resnet down/up", R"({"downsample_type": "resnet", "upsample_type": "resnet"})", "up_blocks.0.upsamplers.0.conv1.weight");
        row("resnet blocks", R"({"down_block_types": ["ResnetDownsampleBlock2D", "AttnDownBlock2D"], "up_block_types": ["AttnUpBlock2D", "ResnetUpsampleBlock2D"]})",
            "down_blocks.0.downsamplers.0.conv1.weight");
        row("fourier", R"({"time_embedding_type": "fourier"})", "time_proj.weight");
        row("learned", R"({"time_embedding_type": "learned", "num_train_timesteps": 1000})", "time_proj.weight");
        row("no mid attention", R"({"add_attention": false})", "mid_block.resnets.1.conv2.weight");
        row("no mid block", R"({"mid_block_type": null})", "up_blocks.0.resnets.0.conv1.weight");
        row("padding 0, mish, 3 layers", R"({"downsample_padding": 0, "act_fn": "mish", "layers_per_block": 3})", "down_blocks.0.resnets.2.conv2.weight");
        row("gelu, time dim 40, shift 1", R"({"act_fn": "gelu", "block_out_channels": [24, 32], "time_embedding_dim": 40, "freq_shift": 1, "flip_sin_to_cos": false})",
            "time_embedding.linear_2.bias");
        row("attn groups", R"({"attn_norm_num_groups": 4, "mid_block_scale_factor": 1.41421356, "attention_head_dim": null})",
            "mid_block.attentions.0.group_norm.weight");
    }
    void variantsBuildRunAndReload()
    {
        QFETCH(QString, patch);
        QFETCH(QString, name);
        const json config = patched(smallConfig(), patch.toStdString());
        const auto parsed = DiffusersUNetConfig::fromJson(config, "variant");
        DiffusersUNet2D net(parsed);
        const auto state = diffusersStateDict(net);
        QVERIFY2(state.count(name.toStdString()), qPrintable(name));
        if (!parsed.midBlockType)
            QVERIFY(!state.count("mid_block.resnets.0.conv1.weight"));
        if (parsed.resnetTimeScaleShift == "scale_shift") { // W gives [scale, shift]; no norm before the mid attention
            QCOMPARE(state.at("down_blocks.0.resnets.0.time_emb_proj.weight").size(0), int64_t(2 * 16));
            QVERIFY(!state.count("mid_block.attentions.0.group_norm.weight"));
        }
        const bool fourier = parsed.timeEmbeddingType == "fourier";
        const at::Tensor x = at::randn({2, 2, 8, 8});
        const at::Tensor t = fourier ? at::tensor({0.5, 20.0}, at::kFloat) : at::tensor({3, 700}, at::kLong);
        const at::Tensor out = run(net, x, t);
        QVERIFY(out.sizes() == x.sizes());
        QVERIFY(at::isfinite(out).all().item<bool>());
        QVERIFY(test::maxAbsDiff(run(net, x, t.flip(0)), out) > 1e-6); // t matters
        DiffusersUNet2D copy(DiffusersUNetConfig::fromJson(parsed.toJson(), "written"));
        loadDiffusersWeights(copy, state, "own state");
        DS_COMPARE_TENSORS(run(copy, x, t), out, 0.0);
    }

    // As a diffscope network: {"kind": "diffusers-unet", "config": …} builds, describes itself so
    // it rebuilds, and refuses bad configs as every network kind does (std::invalid_argument).
    void networkKindBuildsFromItsConfig()
    {
        auto net = buildNetwork({{"kind", "diffusers-unet"}, {"config", smallConfig()}});
        const auto config = net->config();
        QCOMPARE(config["kind"].get<std::string>(), std::string("diffusers-unet"));
        auto rebuilt = buildNetwork(config);
        QCOMPARE(rebuilt->parameterCount(), net->parameterCount());
        QCOMPARE(rebuilt->config().dump(), config.dump());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildNetwork({{"kind", "diffusers-unet"}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 buildNetwork({{"kind", "diffusers-unet"}, {"config", patched(smallConfig(), R"({"norm_num_groups": 7})")}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 buildNetwork({{"kind", "diffusers-unet"}, {"config", smallConfig()}, {"channels", 2}}));
    }

    // Without attention every conv cost scales with the pixels and the time MLP's does not:
    // F(2S) = 4 F(S) − 3 F_time, F_time = 2 · (time_embedding + every time_emb_proj weights).
    void flopsScaleWithThePixels()
    {
        auto flops = [](int64_t side) {
            const json c = patched(smallConfig(), R"({"down_block_types": ["DownBlock2D", "DownBlock2D"], "up_block_types": ["UpBlock2D", "UpBlock2D"], "add_attention": false})");
            return DiffusersUNet2D(DiffusersUNetConfig::fromJson(patched(c, "{\"sample_size\": " + std::to_string(side) + "}"), "f"));
        };
        auto small = flops(8), large = flops(16);
        double timeFlops = 0;
        for (const auto& [name, p] : diffusersStateDict(small))
            if (p.dim() == 2 && (name.rfind("time_embedding.", 0) == 0 || name.find("time_emb_proj") != std::string::npos))
                timeFlops += 2.0 * double(p.numel());
        QVERIFY(timeFlops > 0);
        QCOMPARE(large->flopsPerSample(), 4 * small->flopsPerSample() - 3 * timeFlops);
        QCOMPARE(DiffusersUNet2D(DiffusersUNetConfig::fromJson(smallConfig(), "no size"))->flopsPerSample(), 0.0);
    }

    // google/ddpm-cifar10-32's config: 35 746 307 parameters (also the closed-form count).
    void ddpmCifar10ConfigBuilds()
    {
        const json config{{"_class_name", "UNet2DModel"}, {"act_fn", "silu"}, {"attention_head_dim", nullptr},
                          {"block_out_channels", {128, 256, 256, 256}}, {"center_input_sample", false},
                          {"down_block_types", {"DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"}},
                          {"downsample_padding", 0}, {"flip_sin_to_cos", false}, {"freq_shift", 1}, {"in_channels", 3},
                          {"layers_per_block", 2}, {"mid_block_scale_factor", 1}, {"norm_eps", 1e-6},
                          {"norm_num_groups", 32}, {"out_channels", 3}, {"sample_size", 32},
                          {"time_embedding_type", "positional"},
                          {"up_block_types", {"UpBlock2D", "AttnUpBlock2D", "UpBlock2D", "UpBlock2D"}}};
        DiffusersUNet2D net(DiffusersUNetConfig::fromJson(config, "ddpm-cifar10-32"));
        QCOMPARE(parameterCount(net), int64_t(35746307));
        QVERIFY(run(net, at::randn({1, 3, 32, 32}), at::tensor({999}, at::kLong)).sizes() == at::IntArrayRef({1, 3, 32, 32}));
    }
};

DS_TEST_SUITE(DiffusersUNetConfigTest, "diffusers_unet_config");
#include "test_diffusers_unet_config.moc"
