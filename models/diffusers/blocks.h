#pragma once
// diffusers' UNet2D blocks (unet_2d_blocks.py), under their submodule names: `resnets`,
// `attentions`, `downsamplers` / `upsamplers` (ModuleLists, so indices appear in the names).
//   DownBlock2D              resnets, conv downsampler
//   AttnDownBlock2D          resnet → attention pairs, downsample_type conv | resnet
//   ResnetDownsampleBlock2D  resnets, a ResnetBlock2D(down) as downsampler
//   UpBlock2D / AttnUpBlock2D / ResnetUpsampleBlock2D: the same upwards; every resnet first
//   concatenates one skip (the latest) to its input.
//   UNetMidBlock2D           resnet, [attention], resnet
// The Skip blocks (skip_blocks.h) share the down/up interfaces.
#include "models/diffusers/layers.h"

#include <optional>
#include <string>
#include <vector>

namespace ds::diffusers {

// What every block of one UNet shares (from the config).
struct BlockOptions {
    int64_t tembChannels = 0;
    int64_t groups = 32;
    double eps = 1e-5;
    bool scaleShift = false;
    Activation act = Activation::SiLU;
    std::optional<int64_t> headDim; // null: one head of all channels
};

enum class Resampler { None, Conv, Resnet };

// A level of the down path. `skipSample` is the image-resolution path of the Skip blocks (the
// input, FIR-downsampled level by level); other blocks leave it alone.
class DownBlockBase : public torch::nn::Module {
public:
    // Appends each resnet's (or resnet + attention's) output and the downsampler's to `skips`.
    virtual at::Tensor forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips,
                               at::Tensor& skipSample) = 0;
    // Writes forward as TorchScript (unet_script.cpp): `h` and `temb` name the inputs, `skips`
    // the skip variables; returns the output's variable. Throws ds::Error where a block has none.
    virtual std::string writeScript(SourceWriter& w, const std::string& path, const std::string& h,
                                    const std::string& temb, std::vector<std::string>& skips) const;
};

// A level of the up path: pops one skip per resnet from the back of `skips`. `skipSample`
// (undefined until a Skip block starts it) is added to the network's output at the end.
class UpBlockBase : public torch::nn::Module {
public:
    virtual at::Tensor forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips,
                               at::Tensor& skipSample) = 0;
    virtual std::string writeScript(SourceWriter& w, const std::string& path, const std::string& h,
                                    const std::string& temb, std::vector<std::string>& skips) const;
};

struct DownBlockSpec {
    int64_t in = 0, out = 0, layers = 1;
    bool attention = false;
    Resampler downsampler = Resampler::None;
    int64_t padding = 1; // conv downsampler padding
};

class DownBlockImpl : public DownBlockBase {
public:
    DownBlockImpl(const DownBlockSpec& spec, const BlockOptions& options, const std::string& path);
    at::Tensor forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips, at::Tensor& skipSample) override;
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& h, const std::string& temb,
                            std::vector<std::string>& skips) const override;

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<Attention> attentions_;
    ConvDownsample convDown_{nullptr};
    ResnetBlock2D resnetDown_{nullptr};
};
TORCH_MODULE(DownBlock);

struct UpBlockSpec {
    int64_t in = 0, prevOut = 0, out = 0, layers = 1; // in: the skip width of the last resnet
    bool attention = false;
    Resampler upsampler = Resampler::None;
};

class UpBlockImpl : public UpBlockBase {
public:
    UpBlockImpl(const UpBlockSpec& spec, const BlockOptions& options, const std::string& path);
    at::Tensor forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips, at::Tensor& skipSample) override;
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& h, const std::string& temb,
                            std::vector<std::string>& skips) const override;

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<Attention> attentions_;
    ConvUpsample convUp_{nullptr};
    ResnetBlock2D resnetUp_{nullptr};
};
TORCH_MODULE(UpBlock);

class MidBlockImpl : public torch::nn::Module {
public:
    // `attnGroups` null: no GroupNorm before the attention.
    MidBlockImpl(int64_t channels, const BlockOptions& options, double outputScale, bool attention,
                 std::optional<int64_t> attnGroups, const std::string& path);
    at::Tensor forward(const at::Tensor& h, const at::Tensor& temb);
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& h, const std::string& temb) const;

private:
    std::vector<ResnetBlock2D> resnets_;
    Attention attention_{nullptr};
};
TORCH_MODULE(MidBlock);

} // namespace ds::diffusers
