// models/registry + config_check.h: network configs that would crash, hang, overflow or allocate
// absurdly are refused before anything is allocated, with one line naming the field; the
// parameter count computed from a config equals the built network's (the budget is checked on it).
#include "models/config_check.h"
#include "models/registry.h"
#include "tests/support/test_registry.h"

#include <QTest>

#include <nlohmann/json.hpp>

using namespace ds;
using nlohmann::json;

namespace {

const json kTinyDiffusers = {
    {"_class_name", "UNet2DModel"}, {"in_channels", 1}, {"out_channels", 1}, {"block_out_channels", {8, 16}},
    {"down_block_types", {"DownBlock2D", "AttnDownBlock2D"}}, {"up_block_types", {"AttnUpBlock2D", "UpBlock2D"}},
    {"layers_per_block", 1}, {"norm_num_groups", 4}, {"attention_head_dim", 4}};

json diffusers(const json& patch)
{
    auto config = kTinyDiffusers;
    if (!patch.empty()) // merge_patch(null) would replace the whole object
        config.merge_patch(patch);
    return {{"kind", "diffusers-unet"}, {"config", config}};
}

json with(json config, const json& patch)
{
    config.merge_patch(patch);
    return config;
}

const json kUnet = {{"kind", "unet"}, {"image_size", 8}, {"base_channels", 8}, {"multipliers", {1, 2}}, {"groups", 4}};
const json kMlp = {{"kind", "mlp"}, {"dims", 2}, {"hidden", 16}, {"layers", 2}, {"time_dim", 8}};
const json kClassifier = {{"kind", "classifier"}, {"image_size", 8}, {"width", 8}, {"features", 4}, {"classes", 2}};
const json kPixelAware = {{"kind", "pixel-aware"}, {"image_size", 8}, {"steps", 2}, {"scale", kUnet}, {"reverse", kUnet}};

} // namespace

class NetworkLimitsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void countFromTheConfigEqualsTheBuiltNetwork_data()
    {
        QTest::addColumn<QString>("config");
        auto row = [](const char* name, const json& j) { QTest::newRow(name) << QString::fromStdString(j.dump()); };
        row("unet", kUnet);
        row("unet attention, 3 levels", with(kUnet, {{"multipliers", {1, 2, 2}}, {"attention_resolutions", {4, 2}}, {"res_blocks", 2}}));
        row("mlp", kMlp);
        row("classifier", kClassifier);
        row("pixel-aware", kPixelAware);
        row("diffusers", diffusers({}));
        row("diffusers resnet resamplers, scale_shift, fourier",
            diffusers({{"down_block_types", {"ResnetDownsampleBlock2D", "AttnDownBlock2D"}},
                       {"up_block_types", {"AttnUpBlock2D", "ResnetUpsampleBlock2D"}}, {"resnet_time_scale_shift", "scale_shift"},
                       {"time_embedding_type", "fourier"}, {"downsample_type", "resnet"}, {"upsample_type", "resnet"}}));
        row("diffusers skip blocks, learned time", diffusers({{"in_channels", 3}, {"out_channels", 3}, {"block_out_channels", {32, 32}},
                                                             {"down_block_types", {"SkipDownBlock2D", "AttnSkipDownBlock2D"}},
                                                             {"up_block_types", {"AttnSkipUpBlock2D", "SkipUpBlock2D"}},
                                                             {"attention_head_dim", nullptr}, {"time_embedding_type", "learned"},
                                                             {"num_train_timesteps", 10}}));
        row("diffusers no mid block", diffusers({{"mid_block_type", nullptr}, {"time_embedding_dim", 12}}));
    }
    void countFromTheConfigEqualsTheBuiltNetwork()
    {
        QFETCH(QString, config);
        const auto j = json::parse(config.toStdString());
        QCOMPARE(networkParameterCount(j), buildNetwork(j)->parameterCount());
    }

    void absurdConfigsAreRefusedByField_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("text");
        auto row = [](const char* name, const json& j, const char* text) {
            QTest::newRow(name) << QString::fromStdString(j.dump()) << QString::fromUtf8(text);
        };
        // Types: nlohmann's type_error and its unchecked double → int64 cast never get through.
        row("unet channels a string", with(kUnet, {{"channels", "1"}}), "unet config: channels must be an integer in 1..64, not \"1\"");
        row("unet channels 1e300", with(kUnet, {{"channels", 1e300}}), "channels must be an integer in 1..64");
        row("unet channels 1e9", with(kUnet, {{"base_channels", 1000000000}}), "base_channels must be an integer in 4..1024");
        row("unet negative blocks", with(kUnet, {{"res_blocks", -1}}), "res_blocks must be an integer in 1..8");
        row("unet 1e6 levels", with(kUnet, {{"multipliers", json::array({1, 2, 2, 2, 2, 2, 2})}}), "multipliers must be a list of 1..6");
        row("unet huge multiplier", with(kUnet, {{"multipliers", {1, 1LL << 40}}}), "multipliers must be a list");
        row("unet odd base", with(kUnet, {{"base_channels", 5}, {"groups", 5}}), "base_channels must be even");
        row("unet groups vs base", with(kUnet, {{"base_channels", 12}, {"multipliers", {2}}, {"groups", 8}}),
            "groups 8 does not divide base_channels 12");
        row("unet groups over base", with(kUnet, {{"groups", 64}}), "groups must be an integer in 1..8");
        row("unet misspelt key", with(kUnet, {{"base_channel", 16}}), "\"base_channel\" is not a known field");
        row("unet dropout 1", with(kUnet, {{"dropout", 1}}), "dropout must be below 1");
        row("unet over budget", with(kUnet, {{"base_channels", 1024}, {"multipliers", {1, 2, 4, 8, 16, 16}}, {"res_blocks", 8}, {"groups", 32}}),
            "over the limit of 1000000000");
        row("mlp layers a bool", with(kMlp, {{"layers", true}}), "mlp config: layers must be an integer in 1..32, not true");
        row("mlp odd time_dim", with(kMlp, {{"time_dim", 7}}), "time_dim must be even");
        row("mlp huge time_dim", with(kMlp, {{"time_dim", 1LL << 40}}), "time_dim must be an integer in 4..8192");
        row("mlp over budget", with(kMlp, {{"hidden", 8192}, {"layers", 32}}), "mlp config: dims, hidden and layers ask for");
        row("classifier zero channels", with(kClassifier, {{"channels", 0}}), "classifier config: channels must be an integer in 1..64");
        row("classifier width", with(kClassifier, {{"width", 12}}), "width must be a multiple of 8");
        row("classifier image", with(kClassifier, {{"image_size", 10}}), "image_size must be a multiple of 4");
        row("classifier over budget", with(kClassifier, {{"width", 1024}, {"image_size", 1024}, {"features", 65536}}),
            "over the limit");
        row("pixel-aware steps a string", with(kPixelAware, {{"steps", "2"}}), "pixel-aware config: steps must be an integer in 1..2000");
        row("pixel-aware part not an object", with(kPixelAware, {{"scale", 3}}), "scale must be a JSON object");
        row("pixel-aware part disagrees", with(kPixelAware, {{"reverse", with(kUnet, {{"out_channels", 5}})}}),
            "reverse.out_channels is 5, but must be 2");
        row("pixel-aware bad part", with(kPixelAware, {{"scale", with(kUnet, {{"groups", 3}})}}), "scale is refused: unet config: groups 3");
        row("diffusers 1e6 layers", diffusers({{"layers_per_block", 1000000}}), "layers_per_block must be an integer ≥ 1 and ≤ 64");
        row("diffusers 1e9 channels", diffusers({{"block_out_channels", {8, 1000000000}}}), "block_out_channels must be a non-empty list");
        row("diffusers 9 levels", diffusers({{"block_out_channels", json::array({8, 8, 8, 8, 8, 8, 8, 8, 8})}}), "at most 8 integers");
        row("diffusers padding", diffusers({{"downsample_padding", 5}}), "downsample_padding must be an integer ≥ 0 and ≤ 1");
        // Found by fuzz_network_config: padding 2 built, then the first forward failed at a skip
        // connection (the downsampler gives H/2 + 1).
        row("diffusers padding 2", diffusers({{"downsample_padding", 2}}), "downsample_padding must be an integer ≥ 0 and ≤ 1");
        row("diffusers heads", diffusers({{"attention_head_dim", 32}}), "attention_head_dim 32 exceeds");
        row("diffusers groups", diffusers({{"norm_num_groups", 3}}), "norm_num_groups 3 does not divide");
        row("diffusers learned table", diffusers({{"time_embedding_type", "learned"}, {"num_train_timesteps", 100000000}, {"block_out_channels", {16, 16}}}),
            "over the limit");
        row("diffusers over budget", diffusers({{"block_out_channels", {4096, 4096}}, {"norm_num_groups", 32}, {"layers_per_block", 8}}),
            "network config: block_out_channels with layers_per_block 8 asks for");
        row("not an object", json::array({1}), "network config needs a \"kind\"");
        row("unknown kind", json{{"kind", "transformer"}}, "unknown network kind 'transformer'");
    }
    void absurdConfigsAreRefusedByField()
    {
        QFETCH(QString, config);
        QFETCH(QString, text);
        const auto j = json::parse(config.toStdString());
        for (int pass = 0; pass < 2; ++pass) { // the count and the build refuse alike
            try {
                if (pass == 0)
                    networkParameterCount(j);
                else
                    buildNetwork(j);
                QFAIL("accepted");
            } catch (const std::invalid_argument& e) {
                const std::string message = e.what();
                QVERIFY2(message.find(text.toStdString()) != std::string::npos, message.c_str());
                QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
            }
        }
    }

    void theBudgetIsDocumentedAndAboveRealModels()
    {
        // google/ddpm-ema-church-256's UNet2DModel config: 1.1e8 parameters, well within the limit.
        const json church = {{"_class_name", "UNet2DModel"}, {"in_channels", 3}, {"out_channels", 3},
                             {"block_out_channels", {128, 128, 256, 256, 512, 512}},
                             {"down_block_types", {"DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "AttnDownBlock2D", "DownBlock2D"}},
                             {"up_block_types", {"UpBlock2D", "AttnUpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D"}},
                             {"layers_per_block", 2}, {"attention_head_dim", nullptr}};
        const auto n = networkParameterCount({{"kind", "diffusers-unet"}, {"config", church}});
        QVERIFY2(n > 100000000 && n < 120000000, std::to_string(n).c_str());
        QVERIFY(double(n) * 5 < kMaxNetworkParameters);
    }
};

DS_TEST_SUITE(NetworkLimitsTest, "network_limits");
#include "test_network_limits.moc"
