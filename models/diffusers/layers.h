#pragma once
// The layers diffusers' UNet2D blocks are made of, with diffusers' submodule names: ResnetBlock2D
// (resnet.py), Downsample2D/Upsample2D with a conv (downsampling.py, upsampling.py) and the
// spatial self-Attention of the 2D blocks (attention_processor.py, residual, no cross input).
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <optional>
#include <string>

namespace ds::diffusers {

class SourceWriter; // script_writer.h: the writeScript methods below live in unet_script.cpp

// diffusers' get_activation: "swish" and "silu" are the same function.
enum class Activation { SiLU, Mish, GELU, ReLU };
Activation activationFromName(const std::string& name); // throws ds::Error listing the names
at::Tensor activate(Activation act, const at::Tensor& x);

// GroupNorm(groups, channels, eps, affine), refusing (ds::Error naming `path`) groups that do
// not divide the channels.
torch::nn::GroupNorm makeGroupNorm(int64_t groups, int64_t channels, double eps, const std::string& path);

// What ResnetBlock2D resamples both paths with after norm1 + activation: avg-pool 2×2, nearest
// ×2, or the FIR filters of the Skip blocks (fir.h).
enum class Resample { None, Down, Up, FirDown, FirUp };

struct ResnetOptions {
    int64_t in = 0, out = 0;      // channels
    int64_t tembChannels = 0;     // width of the time embedding
    int64_t groups = 32;          // GroupNorm groups of norm1 (and of norm2 unless groupsOut)
    int64_t groupsOut = 0;        // GroupNorm groups of norm2; 0: `groups`
    double eps = 1e-5;
    bool scaleShift = false;      // time_embedding_norm "scale_shift" (else "default")
    Activation act = Activation::SiLU;
    double outputScale = 1.0;     // the sum is divided by this
    Resample resample = Resample::None;
    bool forceShortcut = false;   // a 1×1 conv_shortcut even when in == out (use_in_shortcut)
};

// h = conv1(act(GN1(x)));  default: h = GN2(h + W·act(temb));  scale_shift: [s, b] = W·act(temb),
// h = GN2(h)(1 + s) + b;  h = conv2(act(h));  out = (shortcut(x) + h) / output_scale.
class ResnetBlock2DImpl : public torch::nn::Module {
public:
    ResnetBlock2DImpl(const ResnetOptions& options, const std::string& path);
    at::Tensor forward(const at::Tensor& x, const at::Tensor& temb);
    // Writes forward(input, temb) as TorchScript under `path` (diffusers' name); returns the variable.
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& input,
                            const std::string& temb) const;

private:
    at::Tensor resampled(const at::Tensor& x) const; // both paths, after norm1 + activation
    ResnetOptions options_;
    torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, convShortcut_{nullptr};
    torch::nn::Linear timeEmbProj_{nullptr};
};
TORCH_MODULE(ResnetBlock2D);

// Downsample2D(use_conv): a 3×3 stride-2 conv; padding 0 pads right and bottom by one first.
class ConvDownsampleImpl : public torch::nn::Module {
public:
    ConvDownsampleImpl(int64_t channels, int64_t padding);
    at::Tensor forward(const at::Tensor& x);
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& input) const;

private:
    int64_t padding_;
    torch::nn::Conv2d conv_{nullptr};
};
TORCH_MODULE(ConvDownsample);

// Upsample2D(use_conv): nearest ×2, then a 3×3 conv.
class ConvUpsampleImpl : public torch::nn::Module {
public:
    explicit ConvUpsampleImpl(int64_t channels);
    at::Tensor forward(const at::Tensor& x);
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& input) const;

private:
    torch::nn::Conv2d conv_{nullptr};
};
TORCH_MODULE(ConvUpsample);

at::Tensor nearestUpsample2x(const at::Tensor& x); // out[i, j] = x[⌊i/2⌋, ⌊j/2⌋]

// Self-attention over the H·W positions, heads = C / head_dim (inner width heads·head_dim):
//   out = (x + to_out(softmax(q kᵀ / √head_dim) v)) / rescale,  q, k, v = to_{q,k,v}(GN(x)).
// `groups` null: no group_norm (the mid block's attention under "scale_shift").
class AttentionImpl : public torch::nn::Module {
public:
    AttentionImpl(int64_t channels, int64_t headDim, std::optional<int64_t> groups, double eps, double rescale,
                  const std::string& path);
    at::Tensor forward(const at::Tensor& x);
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& input) const;

private:
    int64_t heads_, headDim_;
    double rescale_;
    torch::nn::GroupNorm groupNorm_{nullptr};
    torch::nn::Linear toQ_{nullptr}, toK_{nullptr}, toV_{nullptr}, toOut0_{nullptr};
};
TORCH_MODULE(Attention);

} // namespace ds::diffusers
