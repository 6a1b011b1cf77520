#pragma once
// TorchScript export of diffscope's networks, so PyTorch users can load what was trained here
// (torch.jit.load). LibTorch cannot script a C++ module, so each network writes its forward
// pass as TorchScript source: one flat method of aten calls over copies of its parameters
// (calls into submodule methods made LibTorch 1.13's alias analysis run out of memory on the
// UNet). The exporter tests check that both forwards agree.
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <memory>
#include <sstream>
#include <string>

namespace torch::jit {
struct Module;
}

namespace ds {

class NetworkImpl;

// A scripted copy of `network` with forward(x: Tensor, t: Tensor) -> Tensor.
// Throws std::invalid_argument for a network kind that cannot be exported.
torch::jit::Module exportToTorchScript(const NetworkImpl& network);

// Writes one flat TorchScript method: parameters are registered on the module under
// prefixed names, and each helper returns the expression that applies a layer.
class ScriptWriter {
public:
    explicit ScriptWriter(torch::jit::Module& module);

    std::string conv2d(const torch::nn::Conv2dImpl& conv, const std::string& name, const std::string& input);
    std::string linear(const torch::nn::LinearImpl& linear, const std::string& name, const std::string& input);
    std::string groupNorm(const torch::nn::GroupNormImpl& norm, const std::string& name, const std::string& input);
    // Appends "    <target> = <expression>".
    void assign(const std::string& target, const std::string& expression);
    void raw(const std::string& line);
    // Defines `def forward(self, x, t)` with the lines written so far plus `embed(self, t)`
    // (the sinusoidal time embedding of width embedDim, as models/time_embedding.cpp).
    void define(int64_t embedDim, const std::string& result);

private:
    std::string parameter(const std::string& name, const torch::Tensor& value);

    torch::jit::Module& module_;
    std::ostringstream body_;
};

} // namespace ds
