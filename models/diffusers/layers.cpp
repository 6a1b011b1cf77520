#include "models/diffusers/layers.h"

#include "models/error.h"
#include "models/diffusers/fir.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds::diffusers {

namespace nn = torch::nn;

Activation activationFromName(const std::string& name)
{
    if (name == "silu" || name == "swish")
        return Activation::SiLU;
    if (name == "mish")
        return Activation::Mish;
    if (name == "gelu")
        return Activation::GELU;
    if (name == "relu")
        return Activation::ReLU;
    throw Error("act_fn \"" + name + "\" is not one of silu, swish, mish, gelu, relu");
}

at::Tensor activate(Activation act, const at::Tensor& x)
{
    switch (act) {
    case Activation::SiLU: return at::silu(x);
    case Activation::Mish: return x * at::tanh(at::softplus(x)); // mish(x) = x·tanh(ln(1 + eˣ))
    case Activation::GELU: return at::gelu(x);                    // exact (erf) form, as nn.GELU()
    case Activation::ReLU: return at::relu(x);
    }
    return x;
}

nn::GroupNorm makeGroupNorm(int64_t groups, int64_t channels, double eps, const std::string& path)
{
    require(groups >= 1 && channels % groups == 0,
            path + ": " + std::to_string(groups) + " groups do not divide its " + std::to_string(channels) +
                " channels (norm_num_groups / attn_norm_num_groups)");
    return nn::GroupNorm(nn::GroupNormOptions(groups, channels).eps(eps).affine(true));
}

namespace {
nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1, int64_t padding = 1)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(padding));
}
} // namespace

ResnetBlock2DImpl::ResnetBlock2DImpl(const ResnetOptions& o, const std::string& path) : options_(o)
{
    norm1_ = register_module("norm1", makeGroupNorm(o.groups, o.in, o.eps, path + ".norm1"));
    conv1_ = register_module("conv1", conv3x3(o.in, o.out));
    timeEmbProj_ = register_module("time_emb_proj", nn::Linear(o.tembChannels, o.scaleShift ? 2 * o.out : o.out));
    norm2_ = register_module("norm2", makeGroupNorm(o.groupsOut ? o.groupsOut : o.groups, o.out, o.eps, path + ".norm2"));
    conv2_ = register_module("conv2", conv3x3(o.out, o.out));
    if (o.in != o.out || o.forceShortcut)
        convShortcut_ = register_module("conv_shortcut", nn::Conv2d(nn::Conv2dOptions(o.in, o.out, 1)));
}

at::Tensor ResnetBlock2DImpl::forward(const at::Tensor& x, const at::Tensor& temb)
{
    at::Tensor input = resampled(x);
    at::Tensor h = conv1_->forward(resampled(activate(options_.act, norm1_->forward(x))));
    const at::Tensor t = timeEmbProj_->forward(activate(options_.act, temb)).unsqueeze(-1).unsqueeze(-1);
    if (options_.scaleShift) {
        auto scaleShift = t.chunk(2, 1);
        h = norm2_->forward(h) * (1 + scaleShift[0]) + scaleShift[1];
    } else {
        h = norm2_->forward(h + t);
    }
    h = conv2_->forward(activate(options_.act, h)); // dropout sits here in training
    if (convShortcut_)
        input = convShortcut_->forward(input);
    return options_.outputScale == 1.0 ? input + h : (input + h) / options_.outputScale;
}

at::Tensor ResnetBlock2DImpl::resampled(const at::Tensor& x) const
{
    switch (options_.resample) {
    case Resample::None: return x;
    case Resample::Down: return at::avg_pool2d(x, {2, 2}, {2, 2});
    case Resample::Up: return nearestUpsample2x(x);
    case Resample::FirDown: return firDownsample2x(x);
    case Resample::FirUp: return firUpsample2x(x);
    }
    return x;
}

ConvDownsampleImpl::ConvDownsampleImpl(int64_t channels, int64_t padding) : padding_(padding)
{
    conv_ = register_module("conv", conv3x3(channels, channels, 2, padding));
}

at::Tensor ConvDownsampleImpl::forward(const at::Tensor& x)
{
    if (padding_ == 0)
        return conv_->forward(at::constant_pad_nd(x, {0, 1, 0, 1}, 0));
    return conv_->forward(x);
}

at::Tensor nearestUpsample2x(const at::Tensor& x)
{
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    return x.unsqueeze(3).unsqueeze(5).expand({n, c, h, 2, w, 2}).reshape({n, c, 2 * h, 2 * w});
}

ConvUpsampleImpl::ConvUpsampleImpl(int64_t channels)
{
    conv_ = register_module("conv", conv3x3(channels, channels));
}

at::Tensor ConvUpsampleImpl::forward(const at::Tensor& x)
{
    return conv_->forward(nearestUpsample2x(x));
}

AttentionImpl::AttentionImpl(int64_t channels, int64_t headDim, std::optional<int64_t> groups, double eps,
                             double rescale, const std::string& path)
    : heads_(channels / headDim), headDim_(headDim), rescale_(rescale)
{
    require(heads_ >= 1, path + ": attention_head_dim " + std::to_string(headDim) + " exceeds the block's " +
                             std::to_string(channels) + " channels (no head left)");
    if (groups)
        groupNorm_ = register_module("group_norm", makeGroupNorm(*groups, channels, eps, path + ".group_norm"));
    const int64_t inner = heads_ * headDim_;
    toQ_ = register_module("to_q", nn::Linear(channels, inner));
    toK_ = register_module("to_k", nn::Linear(channels, inner));
    toV_ = register_module("to_v", nn::Linear(channels, inner));
    nn::ModuleList toOut;
    toOut0_ = nn::Linear(inner, channels);
    toOut->push_back(toOut0_); // to_out.1 is a Dropout: nothing to hold at inference
    register_module("to_out", toOut);
}

at::Tensor AttentionImpl::forward(const at::Tensor& x)
{
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    // GroupNorm over [N, C, H·W] equals GroupNorm over [N, C, H, W].
    const at::Tensor normed = groupNorm_ ? groupNorm_->forward(x) : x;
    const at::Tensor seq = normed.reshape({n, c, h * w}).transpose(1, 2); // [N, L, C]
    auto split = [&](const at::Tensor& t) { return t.reshape({n, h * w, heads_, headDim_}).transpose(1, 2); };
    const at::Tensor q = split(toQ_->forward(seq)), k = split(toK_->forward(seq)), v = split(toV_->forward(seq));
    const at::Tensor scores = at::matmul(q, k.transpose(-1, -2)) * (1.0 / std::sqrt(double(headDim_)));
    // upcast_softmax: half-precision scores are normalised in float32, as diffusers does.
    const bool reduced = scores.scalar_type() == at::kHalf || scores.scalar_type() == at::kBFloat16;
    const at::Tensor weights = reduced ? scores.to(at::kFloat).softmax(-1).to(scores.scalar_type()) : scores.softmax(-1);
    const at::Tensor mixed = at::matmul(weights, v).transpose(1, 2).reshape({n, h * w, heads_ * headDim_});
    const at::Tensor out = toOut0_->forward(mixed).transpose(1, 2).reshape({n, c, h, w});
    return rescale_ == 1.0 ? out + x : (out + x) / rescale_;
}

} // namespace ds::diffusers
