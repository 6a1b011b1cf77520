// TorchScript export of the UNet: the same stages as UNetImpl::forward, written out as source.
#include "script_export.h"
#include "unet.h"

#include <torch/script.h>

namespace ds {

// h = conv(SiLU(GN(x))) + W·SiLU(emb); h = conv(SiLU(GN(h))); out = skip(x) + h.
void ResBlockImpl::writeScript(ScriptWriter& w, const std::string& name, const std::string& input) const
{
    w.assign(name + "_in", input);
    w.assign("h", w.conv2d(*conv1_, name + "_conv1", "torch.silu(" + w.groupNorm(*norm1_, name + "_norm1", name + "_in") + ")"));
    w.assign("h", "h + " + w.linear(*embProj_, name + "_emb", "torch.silu(emb)") + ".unsqueeze(-1).unsqueeze(-1)");
    w.assign("h", w.conv2d(*conv2_, name + "_conv2", "torch.silu(" + w.groupNorm(*norm2_, name + "_norm2", "h") + ")"));
    w.assign("h", (skip_ ? w.conv2d(*skip_, name + "_skip", name + "_in") : name + "_in") + " + h");
}

// h + proj(v softmax(qᵀk/√c)ᵀ) over the H·W positions.
void AttentionBlockImpl::writeScript(ScriptWriter& w, const std::string& name) const
{
    w.raw("n, c, hh, ww = h.size(0), h.size(1), h.size(2), h.size(3)");
    w.assign("qkv", w.conv2d(*qkv_, name + "_qkv", w.groupNorm(*norm_, name + "_norm", "h")) + ".reshape([n, 3, c, hh * ww])");
    w.assign("a", "torch.softmax(torch.bmm(qkv.select(1, 0).transpose(1, 2), qkv.select(1, 1)) / (c ** 0.5), -1)");
    w.assign("h", "h + " + w.conv2d(*proj_, name + "_proj", "torch.bmm(qkv.select(1, 2), a.transpose(1, 2)).reshape([n, c, hh, ww])"));
}

torch::jit::Module UNetImpl::exportScript() const
{
    torch::jit::Module m("DiffscopeUNet");
    ScriptWriter w(m);
    w.assign("emb", w.linear(*time2_, "time2", "torch.silu(" + w.linear(*time1_, "time1", "self.embed(t)") + ")"));
    w.assign("h", w.conv2d(*input_, "input", "x"));
    w.assign("s0", "h");
    std::vector<int> skips{0};
    int stage = 0;
    auto apply = [&](const Stage& s, const std::string& input) {
        const auto name = "s" + std::to_string(stage++);
        s.res->writeScript(w, name + "_res", input);
        if (s.attention)
            s.attention->writeScript(w, name + "_attn");
    };
    for (const auto& s : down_) {
        if (s.resample)
            w.assign("h", w.conv2d(*s.resample, "s" + std::to_string(stage++) + "_down", "h"));
        else
            apply(s, "h");
        skips.push_back(int(skips.size()));
        w.assign("s" + std::to_string(skips.back()), "h");
    }
    for (const auto& s : middle_)
        apply(s, "h");
    for (const auto& s : up_) {
        const auto skip = "s" + std::to_string(skips.back());
        if (s.up) { // nearest upsampling to the size of the skip it will meet
            w.assign("h", w.conv2d(*s.resample, "s" + std::to_string(stage++) + "_up",
                                   "torch.upsample_nearest2d(h, [" + skip + ".size(2), " + skip + ".size(3)])"));
            continue;
        }
        apply(s, "torch.cat([h, " + skip + "], 1)");
        skips.pop_back();
    }
    w.define(config_.baseChannels, w.conv2d(*output_, "output", "torch.silu(" + w.groupNorm(*outNorm_, "out_norm", "h") + ")"));
    return m;
}

} // namespace ds
