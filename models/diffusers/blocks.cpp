#include "models/diffusers/blocks.h"

#include <ATen/ATen.h>

namespace ds::diffusers {

namespace nn = torch::nn;

namespace {

ResnetOptions resnetOptions(int64_t in, int64_t out, const BlockOptions& o, double outputScale = 1.0,
                            Resample resample = Resample::None)
{
    ResnetOptions r;
    r.in = in;
    r.out = out;
    r.tembChannels = o.tembChannels;
    r.groups = o.groups;
    r.eps = o.eps;
    r.scaleShift = o.scaleShift;
    r.act = o.act;
    r.outputScale = outputScale;
    r.resample = resample;
    return r;
}

// The down/up blocks' attention: GroupNorm with the resnets' groups, no output rescale.
Attention blockAttention(int64_t channels, const BlockOptions& o, const std::string& path)
{
    return Attention(channels, o.headDim.value_or(channels), o.groups, o.eps, 1.0, path);
}

} // namespace

DownBlockImpl::DownBlockImpl(const DownBlockSpec& s, const BlockOptions& o, const std::string& path)
{
    nn::ModuleList resnets, attentions;
    for (int64_t i = 0; i < s.layers; ++i) {
        const std::string index = std::to_string(i);
        resnets_.push_back(ResnetBlock2D(resnetOptions(i == 0 ? s.in : s.out, s.out, o), path + ".resnets." + index));
        resnets->push_back(resnets_.back());
        if (s.attention) {
            attentions_.push_back(blockAttention(s.out, o, path + ".attentions." + index));
            attentions->push_back(attentions_.back());
        }
    }
    register_module("resnets", resnets);
    if (s.attention)
        register_module("attentions", attentions);
    if (s.downsampler == Resampler::None)
        return;
    nn::ModuleList downsamplers;
    if (s.downsampler == Resampler::Conv) {
        convDown_ = ConvDownsample(s.out, s.padding);
        downsamplers->push_back(convDown_);
    } else {
        resnetDown_ = ResnetBlock2D(resnetOptions(s.out, s.out, o, 1.0, Resample::Down), path + ".downsamplers.0");
        downsamplers->push_back(resnetDown_);
    }
    register_module("downsamplers", downsamplers);
}

at::Tensor DownBlockImpl::forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips, at::Tensor&)
{
    for (size_t i = 0; i < resnets_.size(); ++i) {
        h = resnets_[i]->forward(h, temb);
        if (!attentions_.empty())
            h = attentions_[i]->forward(h);
        skips.push_back(h);
    }
    if (convDown_)
        skips.push_back(h = convDown_->forward(h));
    else if (resnetDown_)
        skips.push_back(h = resnetDown_->forward(h, temb));
    return h;
}

UpBlockImpl::UpBlockImpl(const UpBlockSpec& s, const BlockOptions& o, const std::string& path)
{
    nn::ModuleList resnets, attentions;
    for (int64_t i = 0; i < s.layers; ++i) {
        const std::string index = std::to_string(i);
        // Resnet i sees the running width plus its skip's: the last skip comes from the level below.
        const int64_t skipWidth = i == s.layers - 1 ? s.in : s.out;
        const int64_t runningWidth = i == 0 ? s.prevOut : s.out;
        resnets_.push_back(ResnetBlock2D(resnetOptions(runningWidth + skipWidth, s.out, o), path + ".resnets." + index));
        resnets->push_back(resnets_.back());
        if (s.attention) {
            attentions_.push_back(blockAttention(s.out, o, path + ".attentions." + index));
            attentions->push_back(attentions_.back());
        }
    }
    register_module("resnets", resnets);
    if (s.attention)
        register_module("attentions", attentions);
    if (s.upsampler == Resampler::None)
        return;
    nn::ModuleList upsamplers;
    if (s.upsampler == Resampler::Conv) {
        convUp_ = ConvUpsample(s.out);
        upsamplers->push_back(convUp_);
    } else {
        resnetUp_ = ResnetBlock2D(resnetOptions(s.out, s.out, o, 1.0, Resample::Up), path + ".upsamplers.0");
        upsamplers->push_back(resnetUp_);
    }
    register_module("upsamplers", upsamplers);
}

at::Tensor UpBlockImpl::forward(at::Tensor h, const at::Tensor& temb, std::vector<at::Tensor>& skips, at::Tensor&)
{
    for (size_t i = 0; i < resnets_.size(); ++i) {
        h = resnets_[i]->forward(at::cat({h, skips.back()}, 1), temb);
        skips.pop_back();
        if (!attentions_.empty())
            h = attentions_[i]->forward(h);
    }
    if (convUp_)
        h = convUp_->forward(h);
    else if (resnetUp_)
        h = resnetUp_->forward(h, temb);
    return h;
}

MidBlockImpl::MidBlockImpl(int64_t channels, const BlockOptions& o, double outputScale, bool attention,
                           std::optional<int64_t> attnGroups, const std::string& path)
{
    nn::ModuleList resnets;
    for (int i = 0; i < 2; ++i) {
        resnets_.push_back(ResnetBlock2D(resnetOptions(channels, channels, o, outputScale),
                                         path + ".resnets." + std::to_string(i)));
        resnets->push_back(resnets_.back());
    }
    register_module("resnets", resnets);
    if (!attention)
        return;
    nn::ModuleList attentions;
    attention_ = Attention(channels, o.headDim.value_or(channels), attnGroups, o.eps, outputScale, path + ".attentions.0");
    attentions->push_back(attention_);
    register_module("attentions", attentions);
}

at::Tensor MidBlockImpl::forward(const at::Tensor& h, const at::Tensor& temb)
{
    at::Tensor out = resnets_[0]->forward(h, temb);
    if (attention_)
        out = attention_->forward(out);
    return resnets_[1]->forward(out, temb);
}

} // namespace ds::diffusers
