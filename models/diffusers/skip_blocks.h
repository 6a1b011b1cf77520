#pragma once
// diffusers' Skip blocks (NCSN++-style, score_sde_ve): an image-resolution path `skip_sample`
// runs beside the features. Resnets and attention are divided by √2 (output_scale_factor),
// GroupNorms use min(channels/4, 32) groups, the attention 32.
//   [Attn]SkipDownBlock2D: resnets [+ attention each]; then h = resnet_down(h) (FIR, 1×1
//     shortcut), skip = FIR↓(skip), h += skip_conv(skip)  (skip_conv: 3 → C, 1×1).
//   [Attn]SkipUpBlock2D: resnets on [h, skip]s [+ one attention]; skip = FIR↑(skip) (0 at the
//     start); then skip += skip_conv(SiLU(skip_norm(h))) (C → 3, 3×3), h = resnet_up(h).
#include "models/diffusers/blocks.h"

namespace ds::diffusers {

struct SkipDownSpec {
    int64_t in = 0, out = 0, layers = 1;
    bool attention = false;
    bool downsample = false;
};

class SkipDownBlockImpl : public DownBlockBase {
public:
    SkipDownBlockImpl(const SkipDownSpec& spec, const BlockOptions& options, const std::string& path);
    at::Tensor forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips, at::Tensor& skipSample) override;

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<Attention> attentions_;
    ResnetBlock2D resnetDown_{nullptr};
    torch::nn::Conv2d skipConv_{nullptr};
};
TORCH_MODULE(SkipDownBlock);

class SkipUpBlockImpl : public UpBlockBase {
public:
    SkipUpBlockImpl(const UpBlockSpec& spec, const BlockOptions& options, const std::string& path);
    at::Tensor forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips, at::Tensor& skipSample) override;

private:
    std::vector<ResnetBlock2D> resnets_;
    Attention attention_{nullptr};
    ResnetBlock2D resnetUp_{nullptr};
    torch::nn::GroupNorm skipNorm_{nullptr};
    torch::nn::Conv2d skipConv_{nullptr};
};
TORCH_MODULE(SkipUpBlock);

} // namespace ds::diffusers
