#pragma once
// Turning a model into files for elsewhere: TorchScript (native checkpoints and diffusers
// folders), slim checkpoints, and diffusers folders from native checkpoints.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace ds {

class DiffusersUNet2DImpl;

struct ExportCheck {
    double maxDifference = 0; // max |native − exported| on a random probe batch
    int64_t parameters = 0;
};

// Writes a TorchScript module with a diffscope.json extra file, loadable by torch.jit.load in
// PyTorch and by diffscope itself; then loads it back and checks its outputs against the source
// on a random batch. `checkpointPath` is a native checkpoint (EMA weights) or a diffusers
// UNet2DModel folder (core/denoisers/diffusers_model.h; its scheduler gives the schedule and
// prediction). Throws ds::Error naming the file.
ExportCheck exportTorchScript(const std::string& checkpointPath, const std::string& outPath);

// Writes an inference-only copy (header + EMA weights, no optimizer or RNG state).
void writeSlimCheckpoint(const std::string& checkpointPath, const std::string& outPath);

struct ConvertSummary {
    int64_t parameters = 0;
    std::string betaSchedule; // as written to scheduler_config.json ("linear", …, "trained_betas")
    bool clipSample = false;
};

// Writes a native checkpoint of network kind "diffusers-unet" as a diffusers pipeline folder:
//   model_index.json                       DDPMPipeline
//   unet/config.json                       the UNet2DModel config (in_channels, sample_size from the data)
//   unet/diffusion_pytorch_model.safetensors  the EMA weights, float32, diffusers' names
//   scheduler/scheduler_config.json        DDPMScheduler with the checkpoint's schedule (named
//       beta_schedule when diffusers computes the same betas, else trained_betas), prediction_type,
//       clip_sample (true, range r, only for image data in [−r, r]), rescale_betas_zero_snr
// into `folder`.tmp-<pid>, renamed to `folder` at the end. Throws ds::Error naming the file:
// other network kinds, per-pixel schedules, an existing `folder`.
ConvertSummary writeDiffusersFolder(const std::string& checkpointPath, const std::string& folder);

// Writes `config` as config.json and the UNet's weights (float32, diffusers' names) as
// diffusion_pytorch_model.safetensors into the existing folder `unetFolder`.
void writeDiffusersUNet(const DiffusersUNet2DImpl& unet, const nlohmann::json& config, const std::string& unetFolder);

} // namespace ds
