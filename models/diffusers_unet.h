#pragma once
// diffusers' UNet2DModel rebuilt in LibTorch from its config.json, with diffusers' own parameter
// names, so a diffusers model folder loads tensor for tensor (fixture A: max |Δ| ≈ 1.6e-6 of
// max |out| in float32, 1.4e-8 in float64).
//   conv_in → down_blocks (resnets [+ attentions], downsampler) → mid_block → up_blocks (each
//   resnet eats one skip) → GroupNorm, SiLU, conv_out;  [fourier: out / σ].
// Blocks: DownBlock2D, AttnDownBlock2D, ResnetDownsampleBlock2D, [Attn]SkipDownBlock2D; UpBlock2D,
// AttnUpBlock2D, ResnetUpsampleBlock2D, [Attn]SkipUpBlock2D; mid UNetMidBlock2D. The Skip blocks
// carry an image-resolution path that is added to the output. Class conditioning is refused.
// As a diffscope network (models/network.h) its kind is "diffusers-unet", config
// {"kind": "diffusers-unet", "config": <a UNet2DModel config.json object>}, so `train` builds one
// and `convert` writes its weights back as a diffusers folder.
#include "models/network.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace torch::jit {
struct Module;
}

namespace ds {

// The fields of diffusers' UNet2DModel config (v0.27; time_embedding_dim and mid_block_type from
// later versions). Defaults are diffusers' own, used for keys a config.json leaves out.
struct DiffusersUNetConfig {
    nlohmann::json sampleSize = nullptr;  // int, [h, w] or null: informational, not a constraint
    int64_t inChannels = 3;
    int64_t outChannels = 3;
    bool centerInputSample = false;       // x ← 2x − 1 before conv_in
    std::string timeEmbeddingType = "positional"; // positional | fourier (σ, out/σ) | learned (table)
    std::optional<int64_t> timeEmbeddingDim;      // width of the embedding MLP; null: 4·block_out_channels[0]
    double freqShift = 0;                 // ω_i = exp(−ln(10⁴)·i/(d/2 − freq_shift))
    bool flipSinToCos = true;             // [cos, sin] instead of [sin, cos]
    std::vector<std::string> downBlockTypes{"DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"};
    std::optional<std::string> midBlockType = std::string("UNetMidBlock2D"); // null: no mid block
    std::vector<std::string> upBlockTypes{"AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"};
    std::vector<int64_t> blockOutChannels{224, 448, 672, 896};
    int64_t layersPerBlock = 2;           // resnets per down block; up blocks have one more
    double midBlockScaleFactor = 1;       // mid block residuals are divided by this
    int64_t downsamplePadding = 1;        // conv downsampler padding (0: pad right/bottom by 1 first)
    std::string downsampleType = "conv";  // AttnDownBlock2D's downsampler: conv | resnet
    std::string upsampleType = "conv";    // AttnUpBlock2D's upsampler: conv | resnet
    double dropout = 0;                   // training only: ignored at inference
    std::string actFn = "silu";           // resnet activation: silu | swish | mish | gelu | relu
    std::optional<int64_t> attentionHeadDim = 8; // heads = channels / head_dim; null: one head
    int64_t normNumGroups = 32;
    std::optional<int64_t> attnNormNumGroups; // mid attention GroupNorm; null: norm_num_groups
                                              // with "default" shift, no norm with "scale_shift"
    double normEps = 1e-5;
    std::string resnetTimeScaleShift = "default"; // default: h + W·emb; scale_shift: GN(h)(1+s) + b
    bool addAttention = true;             // attention in the mid block
    std::optional<int64_t> numTrainTimesteps; // rows of the "learned" embedding table

    int64_t timeEmbedDim() const { return timeEmbeddingDim.value_or(4 * blockOutChannels.at(0)); }

    // Parses and checks a diffusers config.json; `where` (the file) starts every message. Refuses
    // class conditioning, unknown block types, unknown option values, unknown non-null keys and
    // sizes beyond the bounds in unet_config.cpp.
    static DiffusersUNetConfig fromJson(const nlohmann::json& j, const std::string& where);
    // Parameters and buffers-as-parameters of the network this config builds, computed without
    // building it; fromJson refuses a config over kMaxNetworkParameters (models/config_check.h).
    double parameterCount() const;
    nlohmann::json toJson() const; // a config.json diffusers reads back (_class_name UNet2DModel)
};

namespace diffusers {
class DownBlockBase;
class MidBlockImpl;
class UpBlockBase;
class TimeProjectionImpl;
class TimestepEmbeddingImpl;
} // namespace diffusers

class DiffusersUNet2DImpl : public NetworkImpl {
public:
    static constexpr const char* kKind = "diffusers-unet";

    // Builds the network (default-initialised weights); throws ds::Error for a config whose
    // channel counts do not fit its group counts or heads.
    explicit DiffusersUNet2DImpl(DiffusersUNetConfig config);
    // x [N, in_channels, H, W] (converted to the weights' dtype; H, W divisible by 2^downsamplers),
    // t int64 or float, [N], [1] or a scalar (diffusers' timestep index; σ for "fourier").
    at::Tensor forward(const at::Tensor& x, const at::Tensor& t) override;
    const DiffusersUNetConfig& unetConfig() const { return config_; }
    nlohmann::json config() const override; // {"kind": "diffusers-unet", "config": config.json}
    // Σ 2·(weights of each conv/linear)·(positions it runs at) + 4·L²·C per attention, at sample_size.
    double flopsPerSample() const override;
    // A TorchScript module with copies of the weights and forward(x, t) written out as source
    // (diffusers/unet_script.cpp); keepChannels > 0 returns only the first keepChannels output
    // channels (learned variance). Throws ds::Error naming a block type that has no script
    // (the Skip blocks' FIR resampling).
    torch::jit::Module exportScript(int64_t keepChannels = 0) const;

private:
    at::Tensor timeEmbedding(const at::Tensor& t, int64_t batch, at::ScalarType dtype);

    DiffusersUNetConfig config_;
    torch::nn::Conv2d convIn_{nullptr}, convOut_{nullptr};
    torch::nn::GroupNorm convNormOut_{nullptr};
    std::shared_ptr<diffusers::TimeProjectionImpl> timeProj_;
    std::shared_ptr<diffusers::TimestepEmbeddingImpl> timeEmbedding_;
    std::vector<std::shared_ptr<diffusers::DownBlockBase>> down_;
    std::shared_ptr<diffusers::MidBlockImpl> mid_;
    std::vector<std::shared_ptr<diffusers::UpBlockBase>> up_;
};
TORCH_MODULE(DiffusersUNet2D);

// Copies every tensor of `weights` (diffusers names; pre-0.14 attention names query/key/value/
// proj_attn and GaussianFourierProjection's alias W are renamed) into the module's parameters.
// Throws ds::Error, prefixed by `where`, listing missing, unexpected and wrong-shaped names (up
// to 10 of each, then a count); nothing is copied unless everything fits.
void loadDiffusersWeights(DiffusersUNet2D& net, const std::map<std::string, at::Tensor>& weights,
                          const std::string& where);
// The checks of loadDiffusersWeights against `layout` (the file's names, shapes and dtypes: meta
// tensors will do), copying nothing: returns, per name in the file, the parameter it fills, so a
// reader can stream each tensor straight into place (one copy of the weights in memory, not two).
std::map<std::string, at::Tensor> diffusersWeightTargets(DiffusersUNet2D& net, const std::map<std::string, at::Tensor>& layout,
                                                         const std::string& where);
// The module's state dict under diffusers' names (tensors share the module's storage).
std::map<std::string, at::Tensor> diffusersStateDict(const DiffusersUNet2DImpl& net);
inline std::map<std::string, at::Tensor> diffusersStateDict(const DiffusersUNet2D& net) { return diffusersStateDict(*net); }

} // namespace ds
