#pragma once
// Opens whatever a user can name as a model: a TorchScript file, a native checkpoint, a
// diffusers folder, or an exact oracle spec.
//   oracle:<data set>[?n=2000&schedule=linear&T=1000&beta_start=…&beta_end=…&s=…&gamma=…&epsilon=…&seed=0]
//       the exact empirical denoiser over the first n items (toys: n fresh points drawn with seed)
//   oracle:gaussian[?mean=0&std=0.5&shape=1x8x8&schedule=…]
//       the exact denoiser for N(mean, std²) data
//   <path>.dsckpt
//       a native checkpoint written by diffscope's trainer (EMA weights are used)
//   <folder>[?scheduler_config=FILE]
//       a diffusers UNet2DModel folder or pipeline folder (core/diffusers_model.h); FILE
//       replaces the folder's own scheduler_config.json
//   <path> (anything else, usually .pt)
//       a TorchScript module with a diffscope.json extra file
#include "denoiser.h"

#include <memory>
#include <string>

namespace ds {

constexpr const char* kNativeCheckpointExtension = ".dsckpt";
bool isNativeCheckpointPath(const std::string& path);

std::unique_ptr<Denoiser> openDenoiser(const std::string& spec, c10::Device device = c10::kCPU);

// ᾱ_T above this: `info` warns that x_T is not N(0, I).
constexpr double kPriorMismatchAlphaBar = 1e-3;
// One `prior:` line when the schedule's x_T is far from N(0, I), else empty.
std::string priorNote(const Schedule& schedule);

// A short multi-line summary for `diffscope-cli info`.
std::string describeDenoiser(const Denoiser& denoiser);

} // namespace ds
