#pragma once
// Shared by the core.diffusers_unet* suites: the UNet2DModel folders under the fixtures, their
// weights and configs, and a small config for the checks that need no reference.
#include "models/diffusers_unet.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ds::test::unet {

constexpr double kRelTol = 1e-4; // max |Δ| ≤ kRelTol · max |ref| (fixture README: f32 vs f64 ≈ 2e-6)

std::filesystem::path diffusersFixtures();

nlohmann::json readJson(const std::filesystem::path& path);

// Every fixture subfolder whose config.json says UNet2DModel (hidden fixtures join later), sorted.
std::vector<std::filesystem::path> unetFolders();

// Records a test failure (for initTestCase) unless the fixtures hold a UNet2DModel folder.
void requireUNetFolders();

// The folder's weights in float32: diffusers' safetensors file, else its torch.save'd .bin.
std::map<std::string, at::Tensor> readWeights(const std::filesystem::path& folder);

DiffusersUNetConfig configOf(const std::filesystem::path& folder);

// The folder's network with its weights, in eval mode.
DiffusersUNet2D loadedNet(const std::filesystem::path& folder);

// 2 levels, 1 layer, 8 groups, attention in the second level; 2 channels in and out.
nlohmann::json smallConfig();

// `base` with the keys of `patchText` (JSON) set, null values kept (unlike merge_patch).
nlohmann::json patched(nlohmann::json base, const std::string& patchText);

// The network's output without autograd.
at::Tensor run(DiffusersUNet2D& net, const at::Tensor& x, const at::Tensor& t);

int64_t parameterCount(const DiffusersUNet2D& net);

} // namespace ds::test::unet
