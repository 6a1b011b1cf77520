#pragma once
// A diffusers model folder as a Denoiser. Two layouts open:
//   <unet folder>/config.json                       _class_name UNet2DModel
//                 diffusion_pytorch_model.safetensors  (else .bin, .fp16.safetensors, .fp16.bin)
//                 scheduler_config.json             optional; else ../scheduler/scheduler_config.json
//   <pipeline>/model_index.json, unet/ (as above), scheduler/scheduler_config.json
// The scheduler config gives the schedule, the prediction type and the sampler it implies
// (core/diffusers_scheduler.h); with none anywhere, DDPM's defaults are assumed and said so
// in DenoiserInfo::notes. diffusers' timestep t is the 0-based index, diffscope's k.
#include "denoiser.h"

#include <memory>
#include <string>

namespace ds {

struct DiffusersDenoiserImpl;
class DiffusersUNet2DImpl;

class DiffusersDenoiser : public Denoiser {
public:
    // Reads the folder and its weights; `schedulerConfigOverride` (a scheduler_config.json
    // path) replaces whatever config the folder has. The network runs in float32 on CPU
    // (half weights are widened at load) and in the stored dtype on CUDA. Throws ds::Error
    // naming the folder or file and the problem.
    static std::unique_ptr<DiffusersDenoiser> open(const std::string& folder, c10::Device device = c10::kCPU,
                                                   const std::string& schedulerConfigOverride = "");
    ~DiffusersDenoiser() override;

    void to(c10::Device device) override;
    // The UNet itself (for TorchScript export and benchmarks): float32 on CPU.
    std::shared_ptr<DiffusersUNet2DImpl> network() const;

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override;

private:
    DiffusersDenoiser(DenoiserInfo info, std::unique_ptr<DiffusersDenoiserImpl> impl);
    std::unique_ptr<DiffusersDenoiserImpl> impl_;
};

} // namespace ds
