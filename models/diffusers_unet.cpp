// UNet2DModel assembled from its config (the wiring of diffusers' unet_2d.py, written anew).
#include "models/diffusers_unet.h"

#include "models/error.h"
#include "models/config_check.h"
#include "models/diffusers/blocks.h"
#include "models/diffusers/embeddings.h"
#include "models/diffusers/skip_blocks.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {

namespace nn = torch::nn;
using namespace ds::diffusers;

namespace {

BlockOptions blockOptions(const DiffusersUNetConfig& c)
{
    BlockOptions o;
    o.tembChannels = c.timeEmbedDim();
    o.groups = c.normNumGroups;
    o.eps = c.normEps;
    o.scaleShift = c.resnetTimeScaleShift == "scale_shift";
    o.act = activationFromName(c.actFn);
    o.headDim = c.attentionHeadDim;
    return o;
}

TimeProjectionKind projectionKind(const std::string& name)
{
    if (name == "fourier")
        return TimeProjectionKind::Fourier;
    return name == "learned" ? TimeProjectionKind::Learned : TimeProjectionKind::Positional;
}

DownBlockSpec downSpec(const DiffusersUNetConfig& c, size_t i)
{
    const std::string& type = c.downBlockTypes[i];
    DownBlockSpec s;
    s.in = c.blockOutChannels[i == 0 ? 0 : i - 1];
    s.out = c.blockOutChannels[i];
    s.layers = c.layersPerBlock;
    s.attention = type == "AttnDownBlock2D";
    s.padding = c.downsamplePadding;
    if (i + 1 < c.blockOutChannels.size()) // the last level keeps its resolution
        s.downsampler = type == "ResnetDownsampleBlock2D" || (s.attention && c.downsampleType == "resnet")
                            ? Resampler::Resnet
                            : Resampler::Conv;
    return s;
}

// Up level i works at the width of down level n−1−i; its last resnet's skip comes from the level below.
UpBlockSpec upSpec(const DiffusersUNetConfig& c, size_t i)
{
    const std::string& type = c.upBlockTypes[i];
    const size_t n = c.blockOutChannels.size();
    auto reversed = [&](size_t k) { return c.blockOutChannels[n - 1 - std::min(k, n - 1)]; };
    UpBlockSpec s;
    s.prevOut = reversed(i == 0 ? 0 : i - 1);
    s.out = reversed(i);
    s.in = reversed(i + 1);
    s.layers = c.layersPerBlock + 1;
    s.attention = type == "AttnUpBlock2D";
    if (i + 1 < n)
        s.upsampler = type == "ResnetUpsampleBlock2D" || (s.attention && c.upsampleType == "resnet")
                          ? Resampler::Resnet
                          : Resampler::Conv;
    return s;
}

// sample_size as [H, W]; {0, 0} when the config leaves it null.
std::pair<int64_t, int64_t> sampleSide(const nlohmann::json& size)
{
    if (size.is_number_integer())
        return {size.get<int64_t>(), size.get<int64_t>()};
    if (size.is_array() && size.size() == 2 && size[0].is_number_integer() && size[1].is_number_integer())
        return {size[0].get<int64_t>(), size[1].get<int64_t>()};
    return {0, 0};
}

// The level (0 = full resolution) a parameter runs at, from its diffusers name; −1: once per
// sample (the time embedding and the resnets' time projections).
int64_t levelOf(const std::string& name, int64_t levels)
{
    if (name.rfind("time_", 0) == 0 || name.find(".time_emb_proj.") != std::string::npos)
        return -1;
    auto index = [&](size_t prefix) { return int64_t(std::stoll(name.substr(prefix))); };
    if (name.rfind("down_blocks.", 0) == 0) // a downsampler's output is one level down
        return index(12) + (name.find(".downsamplers.") != std::string::npos ? 1 : 0);
    if (name.rfind("up_blocks.", 0) == 0) // an upsampler's output is one level up
        return levels - 1 - index(10) - (name.find(".upsamplers.") != std::string::npos ? 1 : 0);
    if (name.rfind("mid_block.", 0) == 0)
        return levels - 1;
    return 0; // conv_in, conv_norm_out, conv_out
}

bool isSkip(const std::string& type)
{
    return type.find("Skip") != std::string::npos;
}

std::shared_ptr<DownBlockBase> makeDownBlock(const DiffusersUNetConfig& c, size_t i, const BlockOptions& o)
{
    const std::string path = "down_blocks." + std::to_string(i);
    const DownBlockSpec s = downSpec(c, i);
    if (!isSkip(c.downBlockTypes[i]))
        return DownBlock(s, o, path).ptr();
    SkipDownSpec skip{s.in, s.out, s.layers, c.downBlockTypes[i] == "AttnSkipDownBlock2D", s.downsampler != Resampler::None};
    return SkipDownBlock(skip, o, path).ptr();
}

std::shared_ptr<UpBlockBase> makeUpBlock(const DiffusersUNetConfig& c, size_t i, const BlockOptions& o)
{
    const std::string path = "up_blocks." + std::to_string(i);
    UpBlockSpec s = upSpec(c, i);
    if (!isSkip(c.upBlockTypes[i]))
        return UpBlock(s, o, path).ptr();
    s.attention = c.upBlockTypes[i] == "AttnSkipUpBlock2D";
    return SkipUpBlock(s, o, path).ptr();
}

} // namespace

double DiffusersUNetConfig::parameterCount() const
{
    // The constructor's wiring, counting instead of allocating (a fuzz target checks both agree).
    const double temb = double(timeEmbedDim());
    const bool scaleShift = resnetTimeScaleShift == "scale_shift";
    auto resnet = [&](double in, double out, bool forceShortcut = false) {
        return groupNormParameters(in) + convParameters(in, out, 3) + linearParameters(temb, scaleShift ? 2 * out : out) +
               groupNormParameters(out) + convParameters(out, out, 3) +
               (in != out || forceShortcut ? convParameters(in, out, 1) : 0);
    };
    auto attention = [&](double channels, bool norm) {
        const double head = double(attentionHeadDim.value_or(int64_t(channels)));
        const double inner = std::floor(channels / head) * head;
        return (norm ? groupNormParameters(channels) : 0) + 3 * linearParameters(channels, inner) +
               linearParameters(inner, channels);
    };
    const double width0 = double(blockOutChannels.at(0));
    const double projection = timeEmbeddingType == "fourier" ? 2 * width0 : width0;
    double n = convParameters(double(inChannels), width0, 3) + linearParameters(projection, temb) + linearParameters(temb, temb);
    if (timeEmbeddingType == "fourier")
        n += width0;
    else if (timeEmbeddingType == "learned")
        n += double(numTrainTimesteps.value_or(0)) * width0;
    for (size_t i = 0; i < blockOutChannels.size(); ++i) {
        const DownBlockSpec d = downSpec(*this, i);
        const bool skip = isSkip(downBlockTypes[i]);
        const bool attn = skip ? downBlockTypes[i] == "AttnSkipDownBlock2D" : d.attention;
        for (int64_t l = 0; l < d.layers; ++l)
            n += resnet(double(l == 0 ? d.in : d.out), double(d.out)) + (attn ? attention(double(d.out), true) : 0);
        if (d.downsampler != Resampler::None)
            n += skip ? resnet(double(d.out), double(d.out), true) + convParameters(3, double(d.out), 1)
                 : d.downsampler == Resampler::Conv ? convParameters(double(d.out), double(d.out), 3)
                                                    : resnet(double(d.out), double(d.out));
    }
    if (midBlockType) {
        const double c = double(blockOutChannels.back());
        const bool attnNorm = attnNormNumGroups || !scaleShift;
        n += 2 * resnet(c, c) + (addAttention ? attention(c, attnNorm) : 0);
    }
    for (size_t i = 0; i < blockOutChannels.size(); ++i) {
        const UpBlockSpec u = upSpec(*this, i);
        const bool skip = isSkip(upBlockTypes[i]);
        const bool attn = skip ? upBlockTypes[i] == "AttnSkipUpBlock2D" : u.attention;
        for (int64_t l = 0; l < u.layers; ++l) {
            const double in = double((l == 0 ? u.prevOut : u.out) + (l == u.layers - 1 ? u.in : u.out));
            n += resnet(in, double(u.out)) + (attn && !skip ? attention(double(u.out), true) : 0);
        }
        if (skip && attn) // one attention after the resnets
            n += attention(double(u.out), true);
        if (u.upsampler != Resampler::None)
            n += skip ? resnet(double(u.out), double(u.out), true) + convParameters(double(u.out), 3, 3) +
                            groupNormParameters(double(u.out))
                 : u.upsampler == Resampler::Conv ? convParameters(double(u.out), double(u.out), 3)
                                                  : resnet(double(u.out), double(u.out));
    }
    return n + groupNormParameters(width0) + convParameters(width0, double(outChannels), 3);
}

DiffusersUNet2DImpl::DiffusersUNet2DImpl(DiffusersUNetConfig config) : config_(std::move(config))
{
    const auto& c = config_;
    const BlockOptions options = blockOptions(c);
    const int64_t width0 = c.blockOutChannels.at(0);
    convIn_ = register_module("conv_in", nn::Conv2d(nn::Conv2dOptions(c.inChannels, width0, 3).padding(1)));
    timeProj_ = register_module("time_proj", TimeProjection(projectionKind(c.timeEmbeddingType), width0, c.flipSinToCos,
                                                            c.freqShift, c.numTrainTimesteps.value_or(0)));
    timeEmbedding_ = register_module("time_embedding", TimestepEmbedding(timeProj_->outputDim(), c.timeEmbedDim()));
    nn::ModuleList downBlocks, upBlocks;
    for (size_t i = 0; i < c.blockOutChannels.size(); ++i) {
        down_.push_back(makeDownBlock(c, i, options));
        downBlocks->push_back(down_.back());
    }
    register_module("down_blocks", downBlocks);
    if (c.midBlockType) {
        // attn_norm_num_groups null: the resnets' groups under "default", no norm under "scale_shift".
        const auto attnGroups = c.attnNormNumGroups ? c.attnNormNumGroups
                                : options.scaleShift ? std::nullopt
                                                     : std::optional<int64_t>(c.normNumGroups);
        mid_ = register_module("mid_block", MidBlock(c.blockOutChannels.back(), options, c.midBlockScaleFactor,
                                                     c.addAttention, attnGroups, "mid_block"));
    }
    for (size_t i = 0; i < c.blockOutChannels.size(); ++i) {
        up_.push_back(makeUpBlock(c, i, options));
        upBlocks->push_back(up_.back());
    }
    register_module("up_blocks", upBlocks);
    convNormOut_ = register_module("conv_norm_out", makeGroupNorm(c.normNumGroups, width0, c.normEps, "conv_norm_out"));
    convOut_ = register_module("conv_out", nn::Conv2d(nn::Conv2dOptions(width0, c.outChannels, 3).padding(1)));
}

nlohmann::json DiffusersUNet2DImpl::config() const
{
    return {{"kind", kKind}, {"config", config_.toJson()}};
}

double DiffusersUNet2DImpl::flopsPerSample() const
{
    const auto [height, width] = sampleSide(config_.sampleSize);
    const int64_t levels = int64_t(config_.blockOutChannels.size());
    auto positions = [&, height = height, width = width](int64_t level) {
        // In double: sample_size is informational and unchecked, so an int64 product could overflow.
        return level < 0 ? 1.0 : double(std::max<int64_t>(height >> level, 1)) * double(std::max<int64_t>(width >> level, 1));
    };
    double flops = 0;
    for (const auto& item : named_parameters(/*recurse=*/true)) {
        const std::string& name = item.key();
        const at::Tensor& p = item.value();
        if (p.dim() < 2 || name.rfind("time_proj.", 0) == 0) // biases, norms; the fourier/learned tables
            continue;
        const double at = positions(levelOf(name, levels));
        flops += 2.0 * double(p.numel()) * at;
        if (name.size() >= 12 && name.compare(name.size() - 12, 12, ".to_q.weight") == 0)
            flops += 4.0 * at * at * double(p.size(0)); // q kᵀ and softmax(·) v over L = H·W positions
    }
    return height > 0 ? flops : 0.0; // sample_size null: unknown
}

// e = time_proj(t) (float32 for "positional", as diffusers), then the MLP in the weights' dtype.
at::Tensor DiffusersUNet2DImpl::timeEmbedding(const at::Tensor& t, int64_t batch, at::ScalarType dtype)
{
    if (t.dim() > 1 || (t.numel() != 1 && t.numel() != batch)) // messages built only on failure
        throw Error("UNet2DModel: t must hold 1 or " + std::to_string(batch) + " timesteps, not " +
                    std::to_string(t.numel()));
    const at::Tensor steps = t.reshape({-1}).expand({batch}).to(convIn_->weight.device());
    return timeEmbedding_->forward(timeProj_->forward(steps).to(dtype));
}

at::Tensor DiffusersUNet2DImpl::forward(const at::Tensor& xIn, const at::Tensor& t)
{
    const auto& c = config_;
    const int64_t levels = int64_t(c.blockOutChannels.size()) - 1, multiple = int64_t(1) << levels;
    if (xIn.dim() != 4 || xIn.size(1) != c.inChannels || !xIn.is_floating_point())
        throw Error("UNet2DModel: x must be a float [N, " + std::to_string(c.inChannels) + ", H, W] tensor");
    if (xIn.size(2) % multiple != 0 || xIn.size(3) % multiple != 0)
        throw Error("UNet2DModel: H and W must be multiples of " + std::to_string(multiple) + " (one halving per level)");
    at::Tensor x = xIn.to(convIn_->weight.options());
    if (c.centerInputSample)
        x = 2 * x - 1.0;
    const at::Tensor emb = timeEmbedding(t, x.size(0), x.scalar_type());
    at::Tensor h = convIn_->forward(x);
    std::vector<at::Tensor> skips{h};
    at::Tensor skipSample = x; // the Skip blocks' image path: x, FIR-downsampled per level
    for (auto& block : down_)
        h = block->forward(h, emb, skips, skipSample);
    if (mid_)
        h = mid_->forward(h, emb);
    skipSample = at::Tensor(); // the up path starts its own
    for (auto& block : up_)
        h = block->forward(h, emb, skips, skipSample);
    h = convOut_->forward(at::silu(convNormOut_->forward(h)));
    if (skipSample.defined())
        h = h + skipSample;
    if (timeProj_->kind() == TimeProjectionKind::Fourier) // the network predicts σ·score: divide by σ
        h = h / t.reshape({-1}).expand({x.size(0)}).to(h.options()).reshape({-1, 1, 1, 1});
    return h;
}

} // namespace ds
