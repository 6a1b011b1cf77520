#include "unet.h"

#include "config_check.h"
#include "time_embedding.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <cmath>

namespace ds {
namespace F = torch::nn::functional;
namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2));
}

// 2 · k² · C_in · C_out · H · W for a convolution producing H×W.
double convFlops(int64_t in, int64_t out, int64_t kernel, int64_t size)
{
    return 2.0 * double(kernel * kernel * in * out) * double(size * size);
}

} // namespace

nlohmann::json UNetConfig::toJson() const
{
    return {{"kind", "unet"},         {"channels", channels},   {"out_channels", outChannels}, {"image_size", imageSize},
            {"base_channels", baseChannels}, {"multipliers", multipliers}, {"res_blocks", resBlocks},
            {"attention_resolutions", attentionResolutions}, {"groups", groups}, {"dropout", dropout}};
}

UNetConfig UNetConfig::fromJson(const nlohmann::json& j)
{
    UNetConfig c;
    try {
        c.channels = j.value("channels", c.channels);
        c.outChannels = j.value("out_channels", c.outChannels);
        c.imageSize = j.value("image_size", c.imageSize);
        c.baseChannels = j.value("base_channels", c.baseChannels);
        c.multipliers = j.value("multipliers", c.multipliers);
        c.resBlocks = j.value("res_blocks", c.resBlocks);
        c.attentionResolutions = j.value("attention_resolutions", c.attentionResolutions);
        c.groups = j.value("groups", c.groups);
        c.dropout = j.value("dropout", c.dropout);
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("unet config: ") + e.what());
    }
    requireConfig(c.channels >= 1 && c.channels <= 64, "unet config: channels must be in 1..64");
    requireConfig(c.outChannels >= 0 && c.outChannels <= 16384, "unet config: out_channels must be in 0..16384");
    if (c.outChannels == 0)
        c.outChannels = c.channels;
    requireConfig(c.imageSize >= 4 && c.imageSize <= 1024, "unet config: image_size must be in 4..1024");
    requireConfig(c.baseChannels >= 4 && c.baseChannels <= 1024, "unet config: base_channels must be in 4..1024");
    requireConfig(!c.multipliers.empty() && c.multipliers.size() <= 6, "unet config: 1..6 multipliers");
    requireConfig(c.resBlocks >= 1 && c.resBlocks <= 8, "unet config: res_blocks must be in 1..8");
    requireConfig(c.groups >= 1 && c.dropout >= 0 && c.dropout < 1, "unet config: bad groups or dropout");
    for (auto m : c.multipliers)
        requireConfig(m >= 1 && (c.baseChannels * m) % c.groups == 0,
                "unet config: every width base_channels·multiplier must be a multiple of groups");
    return c;
}

ResBlockImpl::ResBlockImpl(int64_t in, int64_t out, int64_t embDim, int64_t groups, double dropout)
    : in_(in), out_(out), dropout_(dropout)
{
    norm1_ = register_module("norm1", torch::nn::GroupNorm(groups, in));
    conv1_ = register_module("conv1", conv(in, out, 3));
    embProj_ = register_module("emb", torch::nn::Linear(embDim, out));
    norm2_ = register_module("norm2", torch::nn::GroupNorm(groups, out));
    conv2_ = register_module("conv2", conv(out, out, 3));
    if (in != out)
        skip_ = register_module("skip", conv(in, out, 1));
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& emb)
{
    auto h = conv1_(F::silu(norm1_(x)));
    h = h + embProj_(F::silu(emb)).unsqueeze(-1).unsqueeze(-1);
    h = F::silu(norm2_(h));
    if (dropout_ > 0)
        h = F::dropout(h, F::DropoutFuncOptions().p(dropout_).training(is_training()));
    h = conv2_(h);
    return (skip_ ? skip_(x) : x) + h;
}

AttentionBlockImpl::AttentionBlockImpl(int64_t channels, int64_t groups)
{
    norm_ = register_module("norm", torch::nn::GroupNorm(groups, channels));
    qkv_ = register_module("qkv", conv(channels, 3 * channels, 1));
    proj_ = register_module("proj", conv(channels, channels, 1));
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x)
{
    const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    auto qkv = qkv_(norm_(x)).reshape({n, 3, c, h * w});
    auto q = qkv.select(1, 0), k = qkv.select(1, 1), v = qkv.select(1, 2); // [n, c, hw]
    auto weights = torch::softmax(torch::bmm(q.transpose(1, 2), k) / std::sqrt(double(c)), -1); // [n, hw, hw]
    auto out = torch::bmm(v, weights.transpose(1, 2)).reshape({n, c, h, w});
    return x + proj_(out);
}

UNetImpl::UNetImpl(const UNetConfig& config) : config_(UNetConfig::fromJson(config.toJson()))
{
    const auto& c = config_;
    embDim_ = 4 * c.baseChannels;
    time1_ = register_module("time1", torch::nn::Linear(c.baseChannels, embDim_));
    time2_ = register_module("time2", torch::nn::Linear(embDim_, embDim_));
    input_ = register_module("input", conv(c.channels, c.baseChannels, 3));
    auto wantsAttention = [&](int64_t size) {
        return std::find(c.attentionResolutions.begin(), c.attentionResolutions.end(), size) != c.attentionResolutions.end();
    };
    auto addRes = [&](std::vector<Stage>& list, const std::string& name, int64_t in, int64_t out, int64_t size) {
        Stage s;
        s.res = register_module(name + "_res", ResBlock(in, out, embDim_, c.groups, c.dropout));
        if (wantsAttention(size))
            s.attention = register_module(name + "_attn", AttentionBlock(out, c.groups));
        list.push_back(s);
    };

    std::vector<int64_t> skips{c.baseChannels};
    int64_t width = c.baseChannels, size = c.imageSize;
    const auto levels = int64_t(c.multipliers.size());
    for (int64_t l = 0; l < levels; ++l) {
        for (int64_t r = 0; r < c.resBlocks; ++r) {
            addRes(down_, "down" + std::to_string(l) + "_" + std::to_string(r), width, c.baseChannels * c.multipliers[size_t(l)], size);
            width = c.baseChannels * c.multipliers[size_t(l)];
            skips.push_back(width);
        }
        if (l + 1 < levels) {
            Stage s;
            s.resample = register_module("down" + std::to_string(l) + "_resample", conv(width, width, 3, 2));
            down_.push_back(s);
            size = (size + 1) / 2;
            skips.push_back(width);
        }
    }
    addRes(middle_, "mid0", width, width, -1);
    middle_.back().attention = register_module("mid_attn", AttentionBlock(width, c.groups));
    addRes(middle_, "mid1", width, width, -1);
    for (int64_t l = levels - 1; l >= 0; --l) {
        for (int64_t r = 0; r <= c.resBlocks; ++r) {
            const int64_t skip = skips.back();
            skips.pop_back();
            addRes(up_, "up" + std::to_string(l) + "_" + std::to_string(r), width + skip, c.baseChannels * c.multipliers[size_t(l)], size);
            width = c.baseChannels * c.multipliers[size_t(l)];
        }
        if (l > 0) {
            Stage s;
            s.resample = register_module("up" + std::to_string(l) + "_resample", conv(width, width, 3));
            s.up = true;
            up_.push_back(s);
            size *= 2;
        }
    }
    outNorm_ = register_module("out_norm", torch::nn::GroupNorm(c.groups, width));
    output_ = register_module("output", conv(width, c.outChannels, 3));
}

torch::Tensor UNetImpl::forward(const torch::Tensor& x, const torch::Tensor& k)
{
    auto emb = time2_(F::silu(time1_(sinusoidalEmbedding(k, config_.baseChannels))));
    std::vector<torch::Tensor> skips{input_(x)};
    auto h = skips.back();
    for (auto& s : down_) {
        h = s.res ? s.res(h, emb) : s.resample(h);
        if (s.attention)
            h = s.attention(h);
        skips.push_back(h);
    }
    for (auto& s : middle_) {
        h = s.res(h, emb);
        if (s.attention)
            h = s.attention(h);
    }
    for (auto& s : up_) {
        if (s.up) { // nearest upsampling to the size of the skip it will meet, then a conv
            const auto& next = skips.back();
            h = s.resample(F::interpolate(h, F::InterpolateFuncOptions()
                                                 .size(std::vector<int64_t>{next.size(2), next.size(3)})
                                                 .mode(torch::kNearest)));
            continue;
        }
        h = s.res(torch::cat({h, skips.back()}, 1), emb);
        skips.pop_back();
        if (s.attention)
            h = s.attention(h);
    }
    return output_(F::silu(outNorm_(h)));
}

double UNetImpl::flopsPerSample() const
{
    // Walk the stages with their resolutions; convolutions and attention dominate.
    double flops = convFlops(config_.channels, config_.baseChannels, 3, config_.imageSize);
    int64_t size = config_.imageSize;
    auto resFlops = [&](const Stage& s, int64_t sz) {
        double f = 0;
        if (s.res) {
            const auto in = s.res->inChannels();
            const auto out = s.res->outChannels();
            f += convFlops(in, out, 3, sz) + convFlops(out, out, 3, sz) + (in != out ? convFlops(in, out, 1, sz) : 0);
            if (s.attention) // qkv and proj 1×1 convs, then two (HW)²·C products
                f += convFlops(out, 4 * out, 1, sz) + 4.0 * double(out) * std::pow(double(sz * sz), 2);
        }
        return f;
    };
    for (const auto& s : down_) {
        if (s.resample) {
            size = (size + 1) / 2;
            const auto w = s.resample->options.in_channels();
            flops += convFlops(w, w, 3, size);
        } else {
            flops += resFlops(s, size);
        }
    }
    for (const auto& s : middle_)
        flops += resFlops(s, size);
    for (const auto& s : up_) {
        if (s.up) {
            size *= 2;
            const auto w = s.resample->options.in_channels();
            flops += convFlops(w, w, 3, size);
        } else {
            flops += resFlops(s, size);
        }
    }
    return flops + convFlops(outNorm_->options.num_channels(), config_.outChannels, 3, config_.imageSize);
}

} // namespace ds
