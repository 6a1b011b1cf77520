#include "script_export.h"

#include "diffusers_unet.h"
#include "mlp.h"
#include "unet.h"

#include <torch/script.h>

#include <cmath>

namespace ds {

ScriptWriter::ScriptWriter(torch::jit::Module& module) : module_(module) { body_.precision(17); }

std::string ScriptWriter::parameter(const std::string& name, const torch::Tensor& value)
{
    module_.register_parameter(name, value.detach().clone(), /*is_buffer=*/false);
    return "self." + name;
}

std::string ScriptWriter::conv2d(const torch::nn::Conv2dImpl& conv, const std::string& name, const std::string& input)
{
    // diffscope's convolutions pad by kernel/2; reading the padding variant itself differs
    // between LibTorch 1.13 (c10::variant) and 2.x (std::variant).
    const auto& o = conv.options;
    std::ostringstream e;
    e << "torch.conv2d(" << input << ", " << parameter(name + "_w", conv.weight) << ", " << parameter(name + "_b", conv.bias)
      << ", [" << o.stride()->at(0) << ", " << o.stride()->at(1) << "], [" << o.kernel_size()->at(0) / 2 << ", "
      << o.kernel_size()->at(1) / 2 << "])";
    return e.str();
}

std::string ScriptWriter::linear(const torch::nn::LinearImpl& layer, const std::string& name, const std::string& input)
{
    return "(torch.matmul(" + input + ", " + parameter(name + "_w", layer.weight) + ".t()) + "
        + parameter(name + "_b", layer.bias) + ")";
}

std::string ScriptWriter::groupNorm(const torch::nn::GroupNormImpl& norm, const std::string& name, const std::string& input)
{
    std::ostringstream e;
    e.precision(17);
    e << "torch.group_norm(" << input << ", " << norm.options.num_groups() << ", " << parameter(name + "_w", norm.weight)
      << ", " << parameter(name + "_b", norm.bias) << ", " << norm.options.eps() << ")";
    return e.str();
}

void ScriptWriter::assign(const std::string& target, const std::string& expression)
{
    body_ << "    " << target << " = " << expression << "\n";
}

void ScriptWriter::raw(const std::string& line) { body_ << "    " << line << "\n"; }

void ScriptWriter::define(int64_t embedDim, const std::string& result)
{
    // emb = [sin(k ω), cos(k ω)], ω_i = exp(−ln(10000) · i/(d/2 − 1)).
    const int64_t half = embedDim / 2;
    std::ostringstream code;
    code.precision(17);
    code << "def embed(self, t):\n"
         << "    freqs = torch.exp(torch.arange(" << half << ", device=t.device).float() * " << -std::log(10000.0)
         << " / " << double(half - 1) << ")\n"
         << "    args = t.float().unsqueeze(1) * freqs.unsqueeze(0)\n"
         << "    return torch.cat([torch.sin(args), torch.cos(args)], 1)\n\n"
         << "def forward(self, x, t):\n"
         << body_.str() << "    return " << result << "\n";
    module_.define(code.str());
}

torch::jit::Module exportToTorchScript(const NetworkImpl& network)
{
    if (const auto* unet = dynamic_cast<const UNetImpl*>(&network))
        return unet->exportScript();
    if (const auto* mlp = dynamic_cast<const MlpImpl*>(&network))
        return mlp->exportScript();
    if (const auto* diffusers = dynamic_cast<const DiffusersUNet2DImpl*>(&network))
        return diffusers->exportScript();
    throw std::invalid_argument("networks of kind '" + network.config().value("kind", std::string("?"))
                                + "' cannot be exported to TorchScript");
}

} // namespace ds
