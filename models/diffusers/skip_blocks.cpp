#include "models/diffusers/skip_blocks.h"

#include "models/diffusers/fir.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds::diffusers {

namespace nn = torch::nn;

namespace {

const double kSqrt2 = std::sqrt(2.0);

int64_t quarterGroups(int64_t channels)
{
    return std::min<int64_t>(channels / 4, 32);
}

ResnetOptions skipResnet(int64_t in, int64_t out, const BlockOptions& o, int64_t groups)
{
    ResnetOptions r;
    r.in = in;
    r.out = out;
    r.tembChannels = o.tembChannels;
    r.groups = groups;
    r.groupsOut = quarterGroups(out);
    r.eps = o.eps;
    r.scaleShift = o.scaleShift;
    r.act = o.act;
    r.outputScale = kSqrt2;
    return r;
}

// resnet_down / resnet_up: FIR resampling and a 1×1 shortcut although in == out.
ResnetOptions firResnet(int64_t channels, const BlockOptions& o, Resample resample)
{
    ResnetOptions r = skipResnet(channels, channels, o, quarterGroups(channels));
    r.resample = resample;
    r.forceShortcut = true;
    return r;
}

Attention skipAttention(int64_t channels, const BlockOptions& o, const std::string& path)
{
    return Attention(channels, o.headDim.value_or(channels), int64_t(32), o.eps, kSqrt2, path);
}

} // namespace

SkipDownBlockImpl::SkipDownBlockImpl(const SkipDownSpec& s, const BlockOptions& o, const std::string& path)
{
    nn::ModuleList resnets, attentions;
    for (int64_t i = 0; i < s.layers; ++i) {
        const int64_t in = i == 0 ? s.in : s.out;
        resnets_.push_back(ResnetBlock2D(skipResnet(in, s.out, o, quarterGroups(in)), path + ".resnets." + std::to_string(i)));
        resnets->push_back(resnets_.back());
        if (s.attention) {
            attentions_.push_back(skipAttention(s.out, o, path + ".attentions." + std::to_string(i)));
            attentions->push_back(attentions_.back());
        }
    }
    if (s.attention)
        register_module("attentions", attentions);
    register_module("resnets", resnets);
    if (!s.downsample)
        return;
    resnetDown_ = register_module("resnet_down", ResnetBlock2D(firResnet(s.out, o, Resample::FirDown), path + ".resnet_down"));
    skipConv_ = register_module("skip_conv", nn::Conv2d(nn::Conv2dOptions(3, s.out, 1)));
}

at::Tensor SkipDownBlockImpl::forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips,
                                      at::Tensor& skipSample)
{
    for (size_t i = 0; i < resnets_.size(); ++i) {
        h = resnets_[i]->forward(h, temb);
        if (!attentions_.empty())
            h = attentions_[i]->forward(h);
        skips.push_back(h);
    }
    if (resnetDown_) {
        h = resnetDown_->forward(h, temb);
        skipSample = firDownsample2x(skipSample);
        skips.push_back(h = skipConv_->forward(skipSample) + h);
    }
    return h;
}

SkipUpBlockImpl::SkipUpBlockImpl(const UpBlockSpec& s, const BlockOptions& o, const std::string& path)
{
    nn::ModuleList resnets;
    for (int64_t i = 0; i < s.layers; ++i) {
        const int64_t skipWidth = i == s.layers - 1 ? s.in : s.out;
        const int64_t runningWidth = i == 0 ? s.prevOut : s.out;
        // AttnSkipUpBlock2D computes min(running + skip // 4, 32), operator precedence and all.
        const int64_t groups = s.attention ? std::min<int64_t>(runningWidth + skipWidth / 4, 32)
                                           : quarterGroups(runningWidth + skipWidth);
        resnets_.push_back(ResnetBlock2D(skipResnet(runningWidth + skipWidth, s.out, o, groups),
                                         path + ".resnets." + std::to_string(i)));
        resnets->push_back(resnets_.back());
    }
    if (s.attention) {
        nn::ModuleList attentions;
        attention_ = skipAttention(s.out, o, path + ".attentions.0");
        attentions->push_back(attention_);
        register_module("attentions", attentions);
    }
    register_module("resnets", resnets);
    if (s.upsampler == Resampler::None)
        return;
    resnetUp_ = register_module("resnet_up", ResnetBlock2D(firResnet(s.out, o, Resample::FirUp), path + ".resnet_up"));
    skipConv_ = register_module("skip_conv", nn::Conv2d(nn::Conv2dOptions(s.out, 3, 3).padding(1)));
    skipNorm_ = register_module("skip_norm", makeGroupNorm(quarterGroups(s.out), s.out, o.eps, path + ".skip_norm"));
}

at::Tensor SkipUpBlockImpl::forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips,
                                    at::Tensor& skipSample)
{
    for (auto& resnet : resnets_) {
        h = resnet->forward(at::cat({h, skips.back()}, 1), temb);
        skips.pop_back();
    }
    if (attention_)
        h = attention_->forward(h);
    if (skipSample.defined())
        skipSample = firUpsample2x(skipSample);
    if (resnetUp_) {
        const at::Tensor s = skipConv_->forward(at::silu(skipNorm_->forward(h))); // SiLU whatever act_fn says
        skipSample = skipSample.defined() ? skipSample + s : s;
        h = resnetUp_->forward(h, temb);
    }
    return h;
}

} // namespace ds::diffusers
