#pragma once
// The TorchScript source writer of UNet2DModel's export (diffusers_unet.h: exportScript), the
// counterpart of models/script_export.h's ScriptWriter for diffusers' layers: explicit conv
// padding, any tensor as a parameter, diffusers' activations, no fixed embedding helper.
// The forward is one flat method of aten calls (LibTorch 1.13's alias analysis ran out of
// memory on calls into submodule methods, see script_export.h); parameters keep their diffusers
// names with '.' written as '_' (down_blocks_0_resnets_0_conv1_weight).
#include "models/diffusers/layers.h"

#include <sstream>
#include <string>

namespace torch::jit {
struct Module;
}

namespace ds::diffusers {

class SourceWriter {
public:
    explicit SourceWriter(torch::jit::Module& module);

    // Registers a copy of `value` under `path` and returns "self.<name>".
    std::string tensor(const std::string& path, const at::Tensor& value);
    // torch.conv2d with the layer's weight, bias and stride, padding `padding` on every side.
    std::string conv2d(const torch::nn::Conv2dImpl& conv, const std::string& path, const std::string& input,
                       int64_t padding);
    std::string linear(const torch::nn::LinearImpl& layer, const std::string& path, const std::string& input);
    std::string groupNorm(const torch::nn::GroupNormImpl& norm, const std::string& path, const std::string& input);
    static std::string activation(Activation act, const std::string& input);
    // A float literal that reads back as exactly `value` (17 digits, always with a '.' or 'e').
    static std::string number(double value);

    // A variable name not used before, starting with `stem`.
    std::string fresh(const std::string& stem);
    // Appends "    <target> = <expression>".
    void assign(const std::string& target, const std::string& expression);
    // Defines `def forward(self, x, t)` with the lines written so far, returning `result`.
    void define(const std::string& result);

private:
    torch::jit::Module& module_;
    std::ostringstream body_;
    int64_t names_ = 0;
};

} // namespace ds::diffusers
