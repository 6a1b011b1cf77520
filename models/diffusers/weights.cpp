// diffusers state dicts in and out of DiffusersUNet2D: names are the module's own, so loading is
// a checked copy; only the renames diffusers itself applies at load are made here.
#include "models/diffusers_unet.h"

#include "models/error.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <set>

namespace ds {

namespace {

// Pre-0.14 attention names (AttentionBlock): query/key/value/proj_attn → to_q/to_k/to_v/to_out.0.
// GaussianFourierProjection stores its features twice, as `weight` and as the alias `W`.
std::string modernName(const std::string& name)
{
    if (name == "time_proj.W")
        return "time_proj.weight";
    const size_t leaf = name.rfind('.');
    if (leaf == std::string::npos || name.find(".attentions.") == std::string::npos)
        return name;
    const size_t layer = name.rfind('.', leaf - 1);
    if (layer == std::string::npos)
        return name;
    const std::string component = name.substr(layer + 1, leaf - layer - 1);
    static const std::map<std::string, std::string> renames{
        {"query", "to_q"}, {"key", "to_k"}, {"value", "to_v"}, {"proj_attn", "to_out.0"}};
    auto it = renames.find(component);
    return it == renames.end() ? name : name.substr(0, layer + 1) + it->second + name.substr(leaf);
}

// Module name → the file's name for it.
std::map<std::string, std::string> modernNames(const std::map<std::string, at::Tensor>& weights)
{
    std::map<std::string, std::string> out;
    for (const auto& item : weights) {
        const std::string& name = item.first;
        const std::string target = modernName(name);
        if (target != name && weights.count(target)) {
            if (name == "time_proj.W")
                continue; // the alias of a `weight` that is there too
            out[name] = name; // both spellings: the old one is reported as unexpected
        } else {
            out[target] = name;
        }
    }
    return out;
}

std::string shapeOf(const at::Tensor& t)
{
    std::string s = "[";
    for (int64_t d = 0; d < t.dim(); ++d)
        s += (d ? ", " : "") + std::to_string(t.size(d));
    return s + "]";
}

// "3 missing: a, b, c" with at most 10 names, then "and N more".
std::string listed(const std::string& what, const std::vector<std::string>& items)
{
    std::string s = std::to_string(items.size()) + " " + what + ": ";
    for (size_t i = 0; i < items.size() && i < 10; ++i)
        s += (i ? ", " : "") + items[i];
    if (items.size() > 10)
        s += " and " + std::to_string(items.size() - 10) + " more";
    return s;
}

} // namespace

std::map<std::string, at::Tensor> diffusersWeightTargets(DiffusersUNet2D& net, const std::map<std::string, at::Tensor>& layout,
                                                         const std::string& where)
{
    const auto given = modernNames(layout);
    const auto targets = diffusersStateDict(net);
    std::vector<std::string> missing, unexpected, wrong;
    for (const auto& [name, target] : targets) {
        auto it = given.find(name);
        if (it == given.end()) {
            missing.push_back(name);
            continue;
        }
        const at::Tensor& w = layout.at(it->second);
        if (!w.defined())
            wrong.push_back(name + " undefined");
        else if (!w.is_floating_point() || w.sizes() != target.sizes())
            wrong.push_back(name + " " + shapeOf(w) + " (model " + shapeOf(target) +
                            (w.is_floating_point() ? "" : ", not float") + ")");
    }
    for (const auto& entry : given)
        if (!targets.count(entry.first))
            unexpected.push_back(entry.first);
    if (!missing.empty() || !unexpected.empty() || !wrong.empty()) {
        std::string message = where + ": the weights do not fit this UNet2DModel config";
        if (!missing.empty())
            message += "; " + listed("missing", missing);
        if (!unexpected.empty())
            message += "; " + listed("unexpected", unexpected);
        if (!wrong.empty())
            message += "; " + listed("with the wrong shape", wrong);
        throw Error(message);
    }
    std::map<std::string, at::Tensor> byFileName;
    for (const auto& [name, target] : targets)
        byFileName[given.at(name)] = target;
    return byFileName;
}

void loadDiffusersWeights(DiffusersUNet2D& net, const std::map<std::string, at::Tensor>& weights, const std::string& where)
{
    const auto targets = diffusersWeightTargets(net, weights, where);
    c10::NoGradGuard noGrad;
    for (const auto& [name, target] : targets)
        target.copy_(weights.at(name)); // in place (the map shares storage); converts dtype and device
}

std::map<std::string, at::Tensor> diffusersStateDict(const DiffusersUNet2DImpl& net)
{
    std::map<std::string, at::Tensor> out;
    for (const auto& item : net.named_parameters(/*recurse=*/true))
        out[item.key()] = item.value();
    for (const auto& item : net.named_buffers(/*recurse=*/true))
        out[item.key()] = item.value();
    return out;
}

} // namespace ds
