// models/diffusers_unet, weight maps: the names and counts of diffusers' files, both file formats,
// the names older diffusers wrote, and maps that do not fit, refused by name with nothing copied.
#include "core/io/torch_state_dict.h"
#include "diffusers_unet_fixtures.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <filesystem>

using namespace ds;
using namespace ds::test::unet;
namespace fs = std::filesystem;
using nlohmann::json;

class DiffusersUNetWeightsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { requireUNetFolders(); }

    void namesAndCountMatchTheWeightFile()
    {
        for (const auto& dir : unetFolders()) {
            const auto weights = readWeights(dir);
            DiffusersUNet2D net(configOf(dir));
            const auto state = diffusersStateDict(net);
            int64_t fileCount = 0;
            for (const auto& [name, tensor] : weights) {
                QVERIFY2(state.count(name), name.c_str());
                fileCount += tensor.numel();
            }
            QCOMPARE(state.size(), weights.size());
            QCOMPARE(parameterCount(net), fileCount);
            if (dir.filename() == "A")
                QCOMPARE(fileCount, int64_t(701345)); // fixture README
        }
        DiffusersUNet2D net(DiffusersUNetConfig::fromJson(smallConfig(), "small"));
        const auto state = diffusersStateDict(net);
        for (const char* name : {"time_embedding.linear_1.weight", "down_blocks.1.attentions.0.to_q.weight",
                                 "down_blocks.1.attentions.0.to_out.0.bias", "down_blocks.1.attentions.0.group_norm.weight",
                                 "down_blocks.0.downsamplers.0.conv.weight", "mid_block.resnets.1.norm1.weight",
                                 "mid_block.attentions.0.to_k.bias", "up_blocks.0.upsamplers.0.conv.weight",
                                 "up_blocks.1.resnets.1.conv_shortcut.weight", "conv_norm_out.weight", "conv_out.bias"})
            QVERIFY2(state.count(name), name);
        QVERIFY(!state.count("down_blocks.1.downsamplers.0.conv.weight")); // the last level keeps its size
    }

    // Both weight files of a folder hold the same tensors (the .bin read with core/io).
    void binAndSafetensorsAgree()
    {
        int compared = 0;
        for (const auto& dir : unetFolders()) {
            if (!fs::exists(dir / "diffusion_pytorch_model.bin") || !fs::exists(dir / "diffusion_pytorch_model.safetensors"))
                continue;
            const auto bin = readTorchStateDict((dir / "diffusion_pytorch_model.bin").string(), at::kFloat);
            const auto safe = readWeights(dir);
            QCOMPARE(bin.size(), safe.size());
            for (const auto& [name, tensor] : safe)
                QVERIFY2(bin.count(name) && at::equal(bin.at(name), tensor), name.c_str());
            ++compared;
        }
        QVERIFY(compared > 0);
    }

    void stateDictRoundTrips()
    {
        const fs::path dir = unetFolders().front();
        auto net = loadedNet(dir);
        const auto weights = readWeights(dir);
        for (const auto& [name, tensor] : diffusersStateDict(net))
            QVERIFY2(at::equal(tensor, weights.at(name)), name.c_str());
    }

    // diffusers < 0.14 named the attention projections query/key/value/proj_attn.
    void legacyAttentionNamesLoad()
    {
        const fs::path dir = unetFolders().front();
        std::map<std::string, at::Tensor> legacy;
        int renamed = 0;
        for (const auto& [name, tensor] : readWeights(dir)) {
            std::string old = name;
            const std::pair<std::string, std::string> renames[] = {
                {".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."}, {".to_out.0.", ".proj_attn."}};
            for (const auto& [from, to] : renames)
                if (auto pos = old.find(from); pos != std::string::npos) {
                    old.replace(pos, from.size(), to);
                    ++renamed;
                }
            legacy[old] = tensor;
        }
        QVERIFY(renamed > 0);
        DiffusersUNet2D net(configOf(dir));
        loadDiffusersWeights(net, legacy, "legacy");
        const auto reference = loadedNet(dir);
        for (const auto& [name, tensor] : diffusersStateDict(reference))
            QVERIFY2(at::equal(tensor, diffusersStateDict(net).at(name)), name.c_str());
    }

    // GaussianFourierProjection's state dict holds its features as `weight` and as the alias `W`.
    void fourierAliasWLoads()
    {
        const json config = patched(smallConfig(), R"({"time_embedding_type": "fourier"})");
        DiffusersUNet2D source(DiffusersUNetConfig::fromJson(config, "fourier"));
        auto state = diffusersStateDict(source);
        const at::Tensor features = state.at("time_proj.weight");
        state["time_proj.W"] = features; // as torch's state_dict() writes it
        DiffusersUNet2D both(DiffusersUNetConfig::fromJson(config, "fourier"));
        loadDiffusersWeights(both, state, "both");
        QVERIFY(at::equal(diffusersStateDict(both).at("time_proj.weight"), features));
        state.erase("time_proj.weight"); // only the alias
        DiffusersUNet2D aliasOnly(DiffusersUNetConfig::fromJson(config, "fourier"));
        loadDiffusersWeights(aliasOnly, state, "alias");
        QVERIFY(at::equal(diffusersStateDict(aliasOnly).at("time_proj.weight"), features));
        QVERIFY(!diffusersStateDict(aliasOnly).count("time_proj.W"));
    }

    void badWeightMapsAreNamedAndNothingIsCopied()
    {
        const fs::path dir = unetFolders().front();
        const auto good = readWeights(dir);
        auto net = loadedNet(dir);
        const at::Tensor before = diffusersStateDict(net).at("conv_in.weight").clone();

        auto missing = good;
        missing.erase("conv_out.bias");
        missing["conv_in.weight"] = at::zeros_like(good.at("conv_in.weight")); // would change if copied
        DS_EXPECT_ERROR(loadDiffusersWeights(net, missing, "w.bin"), "1 missing: conv_out.bias");
        QVERIFY(at::equal(diffusersStateDict(net).at("conv_in.weight"), before));

        auto extra = good;
        extra["mid_block.attentions.0.extra.weight"] = at::zeros({3});
        DS_EXPECT_ERROR(loadDiffusersWeights(net, extra, "w.bin"), "1 unexpected: mid_block.attentions.0.extra.weight");

        auto shaped = good;
        shaped["conv_in.weight"] = at::zeros({1});
        const std::string modelShape = test::shapeOf(good.at("conv_in.weight"));
        DS_EXPECT_ERROR(loadDiffusersWeights(net, shaped, "w.bin"), "conv_in.weight [1] (model " + modelShape + ")");

        auto integer = good;
        integer["conv_out.bias"] = at::zeros(good.at("conv_out.bias").sizes(), at::kLong);
        DS_EXPECT_ERROR(loadDiffusersWeights(net, integer, "w.bin"), "not float");

        DS_EXPECT_ERROR(loadDiffusersWeights(net, {}, "w.bin"), "and "); // many missing: a count, not all names
        QVERIFY(at::equal(diffusersStateDict(net).at("conv_in.weight"), before));
    }
};

DS_TEST_SUITE(DiffusersUNetWeightsTest, "diffusers_unet_weights");
#include "test_diffusers_unet_weights.moc"
