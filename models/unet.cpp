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
    // Widths up to 16384 keep every product below in int64; the parameter budget bounds the rest.
    constexpr int64_t kMaxWidth = 16384;
    const ConfigFields f(j, "unet config");
    f.onlyKeys({"kind", "channels", "out_channels", "image_size", "base_channels", "multipliers", "res_blocks",
                "attention_resolutions", "groups", "dropout"});
    UNetConfig c;
    c.channels = f.integer("channels", c.channels, 1, 64);
    c.outChannels = f.integer("out_channels", c.outChannels, 0, kMaxWidth);
    if (c.outChannels == 0)
        c.outChannels = c.channels;
    c.imageSize = f.integer("image_size", c.imageSize, 4, 1024);
    c.baseChannels = f.integer("base_channels", c.baseChannels, 4, 1024);
    c.multipliers = f.integers("multipliers", c.multipliers, 1, 6, 1, kMaxWidth / c.baseChannels);
    c.resBlocks = f.integer("res_blocks", c.resBlocks, 1, 8);
    c.attentionResolutions = f.integers("attention_resolutions", c.attentionResolutions, 0, 16, 1, 1024);
    c.groups = f.integer("groups", c.groups, 1, c.baseChannels);
    c.dropout = f.number("dropout", c.dropout, 0, 1);
    if (c.dropout == 1)
        f.fail("dropout", "must be below 1 (1 drops everything)");
    // The time embedding is sinusoidal over base_channels (sin and cos halves).
    if (c.baseChannels % 2 != 0)
        f.fail("base_channels", "must be even (the time embedding's sin and cos halves), not " + std::to_string(c.baseChannels));
    // GroupNorm runs on base_channels (the first skip) and on every level's width.
    if (c.baseChannels % c.groups != 0)
        f.fail("groups", std::to_string(c.groups) + " does not divide base_channels " + std::to_string(c.baseChannels));
    for (auto m : c.multipliers)
        if ((c.baseChannels * m) % c.groups != 0)
            f.fail("groups", std::to_string(c.groups) + " does not divide the width base_channels·multiplier "
                                 + std::to_string(c.baseChannels * m));
    requireParameterBudget(c.parameterCount(), "unet config", "base_channels, multipliers, res_blocks and out_channels");
    return c;
}

double UNetConfig::parameterCount() const
{
    // The constructor's walk, counting instead of allocating.
    const double emb = 4.0 * double(baseChannels);
    auto res = [&](double in, double out) {
        return groupNormParameters(in) + convParameters(in, out, 3) + linearParameters(emb, out) + groupNormParameters(out)
               + convParameters(out, out, 3) + (in != out ? convParameters(in, out, 1) : 0);
    };
    auto attention = [](double c) { return groupNormParameters(c) + convParameters(c, 3 * c, 1) + convParameters(c, c, 1); };
    auto wantsAttention = [&](int64_t size) {
        return std::find(attentionResolutions.begin(), attentionResolutions.end(), size) != attentionResolutions.end();
    };
    double n = linearParameters(double(baseChannels), emb) + linearParameters(emb, emb)
               + convParameters(double(channels), double(baseChannels), 3);
    std::vector<double> skips{double(baseChannels)};
    double width = double(baseChannels);
    int64_t size = imageSize;
    const size_t levels = multipliers.size();
    for (size_t l = 0; l < levels; ++l) {
        const double out = double(baseChannels * multipliers[l]);
        for (int64_t r = 0; r < resBlocks; ++r) {
            n += res(width, out) + (wantsAttention(size) ? attention(out) : 0);
            width = out;
            skips.push_back(width);
        }
        if (l + 1 < levels) {
            n += convParameters(width, width, 3);
            size = (size + 1) / 2;
            skips.push_back(width);
        }
    }
    n += 2 * res(width, width) + attention(width); // the middle: res, attention, res
    for (size_t l = levels; l-- > 0;) {
        const double out = double(baseChannels * multipliers[l]);
        for (int64_t r = 0; r <= resBlocks; ++r) {
            n += res(width + skips.back(), out) + (wantsAttention(size) ? attention(out) : 0);
            skips.pop_back();
            width = out;
        }
        if (l > 0) {
            n += convParameters(width, width, 3);
            size *= 2;
        }
    }
    return n + groupNormParameters(width) + convParameters(width, double(outChannels), 3);
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
