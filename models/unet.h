#pragma once
// A DDPM-style UNet (Ho et al. 2020): sinusoidal time embedding, residual blocks with
// GroupNorm, self-attention at low resolutions, skip connections between the halves.
#include "network.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

namespace torch::jit {
struct Module;
}

namespace ds {

class ScriptWriter;

struct UNetConfig {
    int64_t channels = 1;                 // image channels in
    int64_t outChannels = 0;              // channels out (0: same as in)
    int64_t imageSize = 28;               // H = W the net is built for (attention placement, FLOPs)
    int64_t baseChannels = 32;            // width of the first level
    std::vector<int64_t> multipliers{1, 2, 2}; // width of level l = base · multipliers[l]; one downsample between levels
    int64_t resBlocks = 1;                // residual blocks per level (the up path has one more)
    std::vector<int64_t> attentionResolutions{7}; // resolutions (pixels) that get self-attention
    int64_t groups = 8;                   // GroupNorm groups (must divide every width)
    double dropout = 0.0;

    nlohmann::json toJson() const;
    // Throws std::invalid_argument naming the field: a wrong type, a value out of range, widths
    // that groups do not divide, more than kMaxNetworkParameters (models/config_check.h).
    static UNetConfig fromJson(const nlohmann::json& j);
    // Weights and biases of the network this config builds, computed without building it.
    double parameterCount() const;
};

// h = conv(SiLU(GN(x))) + W·SiLU(t_emb); h = conv(dropout(SiLU(GN(h)))); out = skip(x) + h.
class ResBlockImpl : public torch::nn::Module {
public:
    ResBlockImpl(int64_t in, int64_t out, int64_t embDim, int64_t groups, double dropout);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);
    // Appends this block applied to `input` (the time embedding is `emb`) as TorchScript; the result is `h`.
    void writeScript(ScriptWriter& writer, const std::string& name, const std::string& input) const;
    int64_t inChannels() const { return in_; }
    int64_t outChannels() const { return out_; }

private:
    int64_t in_, out_;
    double dropout_;
    torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
    torch::nn::Linear embProj_{nullptr};
};
TORCH_MODULE(ResBlock);

// Single-head self-attention over the H·W positions: softmax(qᵀk/√c) v, then a residual.
class AttentionBlockImpl : public torch::nn::Module {
public:
    AttentionBlockImpl(int64_t channels, int64_t groups);
    torch::Tensor forward(const torch::Tensor& x);
    // Appends this block applied to `h` as TorchScript; the result is `h`.
    void writeScript(ScriptWriter& writer, const std::string& name) const;

private:
    torch::nn::GroupNorm norm_{nullptr};
    torch::nn::Conv2d qkv_{nullptr}, proj_{nullptr};
};
TORCH_MODULE(AttentionBlock);

class UNetImpl : public NetworkImpl {
public:
    explicit UNetImpl(const UNetConfig& config);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& k) override;
    nlohmann::json config() const override { return config_.toJson(); }
    double flopsPerSample() const override;
    // A TorchScript module with the same weights and forward (unet_script.cpp).
    torch::jit::Module exportScript() const;

private:
    // One stage of the network: a residual block, an optional attention, or a resampler.
    struct Stage {
        ResBlock res{nullptr};
        AttentionBlock attention{nullptr};
        torch::nn::Conv2d resample{nullptr}; // stride-2 conv (down) or conv after nearest upsampling (up)
        bool up = false;
    };

    UNetConfig config_;
    int64_t embDim_;
    torch::nn::Linear time1_{nullptr}, time2_{nullptr};
    torch::nn::Conv2d input_{nullptr}, output_{nullptr};
    torch::nn::GroupNorm outNorm_{nullptr};
    std::vector<Stage> down_, middle_, up_;
    std::vector<bool> downPushes_; // whether each down stage's output feeds a skip connection
};
TORCH_MODULE(UNet);

} // namespace ds
