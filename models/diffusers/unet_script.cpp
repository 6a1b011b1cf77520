// TorchScript export of UNet2DModel: the same stages as the forwards in layers.cpp, blocks.cpp,
// embeddings.cpp and diffusers_unet.cpp, written out as source with the same aten calls in the
// same order (so both forwards agree to rounding, usually exactly).
#include "models/error.h"
#include "models/diffusers/blocks.h"
#include "models/diffusers/embeddings.h"
#include "models/diffusers/script_writer.h"
#include "models/diffusers_unet.h"

#include <torch/script.h>

#include <cmath>

namespace ds {

using namespace ds::diffusers;

namespace diffusers {

namespace {

std::string nearest2x(const std::string& v)
{
    return "torch.upsample_nearest2d(" + v + ", [2 * " + v + ".size(2), 2 * " + v + ".size(3)])";
}

} // namespace

// a = act(GN1(x)); [resample a and x]; h = conv1(a); τ = W·act(temb);
// default: h = GN2(h + τ);  scale_shift: [s, b] = τ, h = GN2(h)(1 + s) + b;
// h = conv2(act(h)); out = (shortcut(x) + h) / output_scale.
std::string ResnetBlock2DImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& input,
                                           const std::string& temb) const
{
    const auto& o = options_;
    const std::string normed = w.fresh("n"), a = w.fresh("a"), h = w.fresh("h"), tau = w.fresh("tau");
    w.assign(normed, w.groupNorm(*norm1_, path + ".norm1", input));
    w.assign(a, SourceWriter::activation(o.act, normed));
    std::string shortcut = input;
    if (o.resample == Resample::Down || o.resample == Resample::Up) {
        auto resample = [&](const std::string& v) {
            return o.resample == Resample::Down ? "torch.avg_pool2d(" + v + ", [2, 2], [2, 2])" : nearest2x(v);
        };
        shortcut = w.fresh("xr");
        w.assign(shortcut, resample(input));
        w.assign(a, resample(a));
    } else if (o.resample != Resample::None) {
        throw Error(path + ": FIR resampling (Skip blocks) has no TorchScript export");
    }
    w.assign(h, w.conv2d(*conv1_, path + ".conv1", a, 1));
    const std::string actT = w.fresh("at");
    w.assign(actT, SourceWriter::activation(o.act, temb));
    w.assign(tau, w.linear(*timeEmbProj_, path + ".time_emb_proj", actT) + ".unsqueeze(-1).unsqueeze(-1)");
    if (o.scaleShift) {
        const std::string ss = w.fresh("ss");
        w.assign(ss, "torch.chunk(" + tau + ", 2, 1)");
        w.assign(h, w.groupNorm(*norm2_, path + ".norm2", h) + " * (1 + " + ss + "[0]) + " + ss + "[1]");
    } else {
        w.assign(h, w.groupNorm(*norm2_, path + ".norm2", h + " + " + tau));
    }
    w.assign(h, SourceWriter::activation(o.act, h));
    w.assign(h, w.conv2d(*conv2_, path + ".conv2", h, 1));
    if (convShortcut_) {
        const std::string projected = w.fresh("sc");
        w.assign(projected, w.conv2d(*convShortcut_, path + ".conv_shortcut", shortcut, 0));
        shortcut = projected;
    }
    const std::string out = w.fresh("r");
    w.assign(out, o.outputScale == 1.0 ? shortcut + " + " + h
                                       : "(" + shortcut + " + " + h + ") / " + SourceWriter::number(o.outputScale));
    return out;
}

std::string ConvDownsampleImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& input) const
{
    const std::string padded = padding_ == 0 ? "torch.constant_pad_nd(" + input + ", [0, 1, 0, 1], 0.0)" : input;
    const std::string out = w.fresh("d");
    w.assign(out, w.conv2d(*conv_, path + ".conv", padded, padding_));
    return out;
}

std::string ConvUpsampleImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& input) const
{
    const std::string out = w.fresh("u");
    w.assign(out, w.conv2d(*conv_, path + ".conv", nearest2x(input), 1));
    return out;
}

// q, k, v = to_{q,k,v}(GN(x)) split into heads; out = (x + to_out(softmax(q kᵀ/√d) v)) / rescale.
std::string AttentionImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& input) const
{
    const std::string n = w.fresh("an"), c = w.fresh("ac"), hh = w.fresh("ah"), ww = w.fresh("aw");
    w.assign(n + ", " + c + ", " + hh + ", " + ww,
             input + ".size(0), " + input + ".size(1), " + input + ".size(2), " + input + ".size(3)");
    const std::string seq = w.fresh("seq");
    const std::string normed = groupNorm_ ? w.groupNorm(*groupNorm_, path + ".group_norm", input) : input;
    w.assign(seq, normed + ".reshape([" + n + ", " + c + ", " + hh + " * " + ww + "]).transpose(1, 2)");
    const std::string heads = "[" + n + ", " + hh + " * " + ww + ", " + std::to_string(heads_) + ", " +
                              std::to_string(headDim_) + "]";
    auto split = [&](const torch::nn::LinearImpl& layer, const std::string& name) {
        const std::string v = w.fresh(name);
        w.assign(v, w.linear(layer, path + "." + name, seq) + ".reshape(" + heads + ").transpose(1, 2)");
        return v;
    };
    const std::string q = split(*toQ_, "to_q"), k = split(*toK_, "to_k"), v = split(*toV_, "to_v");
    const std::string scores = w.fresh("scores"), weights = w.fresh("weights"), mixed = w.fresh("mixed");
    w.assign(scores, "torch.matmul(" + q + ", " + k + ".transpose(-1, -2)) * " +
                         SourceWriter::number(1.0 / std::sqrt(double(headDim_))));
    // upcast_softmax, as forward(): a no-op for float32.
    w.assign(weights, "torch.softmax(" + scores + ".float(), -1).to(" + scores + ".dtype)");
    w.assign(mixed, "torch.matmul(" + weights + ", " + v + ").transpose(1, 2).reshape([" + n + ", " + hh + " * " + ww +
                        ", " + std::to_string(heads_ * headDim_) + "])");
    const std::string out = w.fresh("attn");
    w.assign(out, w.linear(*toOut0_, path + ".to_out.0", mixed) + ".transpose(1, 2).reshape([" + n + ", " + c + ", " +
                      hh + ", " + ww + "]) + " + input);
    if (rescale_ != 1.0)
        w.assign(out, out + " / " + SourceWriter::number(rescale_));
    return out;
}

// The formulas of TimeProjectionImpl::forward; the float constants are the float32 values it uses.
std::string TimeProjectionImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& t) const
{
    const std::string e = w.fresh("e");
    if (kind_ == TimeProjectionKind::Learned) {
        w.assign(e, "torch.index_select(" + w.tensor(path + ".weight", weight_) + ", 0, " + t + ".long())");
        return e;
    }
    if (kind_ == TimeProjectionKind::Fourier) {
        const std::string weight = w.tensor(path + ".weight", weight_), proj = w.fresh("proj");
        w.assign(proj, "torch.log(" + t + ".to(" + weight + ".dtype)).unsqueeze(1) * " + weight + ".unsqueeze(0) * " +
                           SourceWriter::number(2 * M_PI));
        w.assign(e, "torch.cat([torch.sin(" + proj + "), torch.cos(" + proj + ")], 1)");
        return e;
    }
    const int64_t half = dim_ / 2;
    const std::string freqs = w.fresh("freqs"), arg = w.fresh("arg");
    w.assign(freqs, "torch.exp(torch.arange(" + std::to_string(half) + ", device=" + t + ".device).float() * " +
                        SourceWriter::number(float(-std::log(10000.0))) + " / " +
                        SourceWriter::number(float(double(half) - freqShift_)) + ")");
    w.assign(arg, t + ".float().unsqueeze(1) * " + freqs + ".unsqueeze(0)");
    const std::string sin = "torch.sin(" + arg + ")", cos = "torch.cos(" + arg + ")";
    w.assign(e, "torch.cat([" + (flip_ ? cos + ", " + sin : sin + ", " + cos) + "], 1)");
    if (dim_ % 2 == 1)
        w.assign(e, "torch.constant_pad_nd(" + e + ", [0, 1], 0.0)");
    return e;
}

std::string TimestepEmbeddingImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& e) const
{
    const std::string out = w.fresh("emb");
    w.assign(out, w.linear(*linear2_, path + ".linear_2", "torch.silu(" + w.linear(*linear1_, path + ".linear_1", e) + ")"));
    return out;
}

std::string DownBlockBase::writeScript(SourceWriter&, const std::string& path, const std::string&, const std::string&,
                                       std::vector<std::string>&) const
{
    throw Error(path + ": this block type has no TorchScript export");
}

std::string UpBlockBase::writeScript(SourceWriter&, const std::string& path, const std::string&, const std::string&,
                                     std::vector<std::string>&) const
{
    throw Error(path + ": this block type has no TorchScript export");
}

std::string DownBlockImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& input,
                                       const std::string& temb, std::vector<std::string>& skips) const
{
    std::string h = input;
    for (size_t i = 0; i < resnets_.size(); ++i) {
        const std::string index = std::to_string(i);
        h = resnets_[i]->writeScript(w, path + ".resnets." + index, h, temb);
        if (!attentions_.empty())
            h = attentions_[i]->writeScript(w, path + ".attentions." + index, h);
        skips.push_back(h);
    }
    if (convDown_)
        skips.push_back(h = convDown_->writeScript(w, path + ".downsamplers.0", h));
    else if (resnetDown_)
        skips.push_back(h = resnetDown_->writeScript(w, path + ".downsamplers.0", h, temb));
    return h;
}

std::string UpBlockImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& input,
                                     const std::string& temb, std::vector<std::string>& skips) const
{
    std::string h = input;
    for (size_t i = 0; i < resnets_.size(); ++i) {
        const std::string index = std::to_string(i), joined = w.fresh("cat");
        w.assign(joined, "torch.cat([" + h + ", " + skips.back() + "], 1)");
        skips.pop_back();
        h = resnets_[i]->writeScript(w, path + ".resnets." + index, joined, temb);
        if (!attentions_.empty())
            h = attentions_[i]->writeScript(w, path + ".attentions." + index, h);
    }
    if (convUp_)
        h = convUp_->writeScript(w, path + ".upsamplers.0", h);
    else if (resnetUp_)
        h = resnetUp_->writeScript(w, path + ".upsamplers.0", h, temb);
    return h;
}

std::string MidBlockImpl::writeScript(SourceWriter& w, const std::string& path, const std::string& input,
                                      const std::string& temb) const
{
    std::string h = resnets_[0]->writeScript(w, path + ".resnets.0", input, temb);
    if (attention_)
        h = attention_->writeScript(w, path + ".attentions.0", h);
    return resnets_[1]->writeScript(w, path + ".resnets.1", h, temb);
}

} // namespace diffusers

namespace {

// The Skip blocks' FIR resampling is not written as source: refuse them by name first.
void refuseUnscriptedBlocks(const DiffusersUNetConfig& c)
{
    auto check = [](const std::vector<std::string>& types, const std::string& key) {
        for (size_t i = 0; i < types.size(); ++i)
            require(types[i].find("Skip") == std::string::npos, "UNet2DModel: ", key, "[", i, "] is ", types[i],
                    ", which has no TorchScript export (FIR resampling); exportable: DownBlock2D, AttnDownBlock2D, "
                    "ResnetDownsampleBlock2D, UpBlock2D, AttnUpBlock2D, ResnetUpsampleBlock2D");
    };
    check(c.downBlockTypes, "down_block_types");
    check(c.upBlockTypes, "up_block_types");
}

} // namespace

torch::jit::Module DiffusersUNet2DImpl::exportScript(int64_t keepChannels) const
{
    const auto& c = config_;
    refuseUnscriptedBlocks(c);
    torch::jit::Module m("DiffscopeDiffusersUNet2D");
    SourceWriter w(m);
    w.assign("x", "x.to(self.conv_in_weight.dtype)"); // conv_in's weight is registered below
    if (c.centerInputSample)
        w.assign("x", "x * 2.0 - 1.0");
    w.assign("steps", "t.reshape([-1]).expand([x.size(0)]).to(x.device)");
    const std::string e = timeProj_->writeScript(w, "time_proj", "steps");
    const std::string emb = timeEmbedding_->writeScript(w, "time_embedding", e + ".to(x.dtype)");
    w.assign("h", w.conv2d(*convIn_, "conv_in", "x", 1));
    std::vector<std::string> skips{"h"};
    std::string h = "h";
    for (size_t i = 0; i < down_.size(); ++i)
        h = down_[i]->writeScript(w, "down_blocks." + std::to_string(i), h, emb, skips);
    if (mid_)
        h = mid_->writeScript(w, "mid_block", h, emb);
    for (size_t i = 0; i < up_.size(); ++i)
        h = up_[i]->writeScript(w, "up_blocks." + std::to_string(i), h, emb, skips);
    w.assign("out", "torch.silu(" + w.groupNorm(*convNormOut_, "conv_norm_out", h) + ")");
    w.assign("out", w.conv2d(*convOut_, "conv_out", "out", 1));
    if (timeProj_->kind() == TimeProjectionKind::Fourier) // σ·score → score, as forward()
        w.assign("out", "out / steps.to(out.dtype).reshape([-1, 1, 1, 1])");
    w.define(keepChannels > 0 ? "out.narrow(1, 0, " + std::to_string(keepChannels) + ")" : "out");
    return m;
}

} // namespace ds
