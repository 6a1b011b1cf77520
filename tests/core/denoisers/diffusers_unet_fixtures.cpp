#include "diffusers_unet_fixtures.h"

#include "core/io/safetensors.h"
#include "core/io/torch_state_dict.h"
#include "tests/support/test_paths.h"

#include <QTest>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <fstream>

namespace ds::test::unet {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path diffusersFixtures()
{
    return fs::path(fixturesDir()) / "diffusers";
}

json readJson(const fs::path& path)
{
    std::ifstream in(path);
    return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

std::vector<fs::path> unetFolders()
{
    std::vector<fs::path> out;
    if (!fs::is_directory(diffusersFixtures()))
        return out;
    for (const auto& entry : fs::directory_iterator(diffusersFixtures())) {
        const fs::path config = entry.path() / "config.json";
        if (fs::is_regular_file(config) && readJson(config).value("_class_name", "") == "UNet2DModel")
            out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void requireUNetFolders()
{
    QVERIFY2(!unetFolders().empty(), ("no UNet2DModel fixture under " + diffusersFixtures().string()).c_str());
}

std::map<std::string, at::Tensor> readWeights(const fs::path& folder)
{
    const fs::path safetensors = folder / "diffusion_pytorch_model.safetensors";
    if (fs::exists(safetensors))
        return readSafetensors(safetensors.string(), at::kFloat);
    return readTorchStateDict((folder / "diffusion_pytorch_model.bin").string(), at::kFloat);
}

DiffusersUNetConfig configOf(const fs::path& folder)
{
    return DiffusersUNetConfig::fromJson(readJson(folder / "config.json"), (folder / "config.json").string());
}

DiffusersUNet2D loadedNet(const fs::path& folder)
{
    DiffusersUNet2D net(configOf(folder));
    loadDiffusersWeights(net, readWeights(folder), folder.string());
    net->eval();
    return net;
}

json smallConfig()
{
    return json{{"_class_name", "UNet2DModel"},       {"in_channels", 2},
                {"out_channels", 2},                   {"block_out_channels", {16, 32}},
                {"layers_per_block", 1},               {"norm_num_groups", 8},
                {"down_block_types", {"DownBlock2D", "AttnDownBlock2D"}},
                {"up_block_types", {"AttnUpBlock2D", "UpBlock2D"}}, {"attention_head_dim", 8}};
}

json patched(json base, const std::string& patchText)
{
    base.update(json::parse(patchText));
    return base;
}

at::Tensor run(DiffusersUNet2D& net, const at::Tensor& x, const at::Tensor& t)
{
    c10::NoGradGuard noGrad;
    return net->forward(x, t);
}

int64_t parameterCount(const DiffusersUNet2D& net)
{
    int64_t n = 0;
    for (const auto& p : net->parameters())
        n += p.numel();
    return n;
}

} // namespace ds::test::unet
