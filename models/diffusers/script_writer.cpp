#include "models/diffusers/script_writer.h"

#include <torch/script.h>

#include <algorithm>
#include <cmath>

namespace ds::diffusers {

SourceWriter::SourceWriter(torch::jit::Module& module) : module_(module) {}

std::string SourceWriter::tensor(const std::string& path, const at::Tensor& value)
{
    std::string name = path;
    std::replace(name.begin(), name.end(), '.', '_');
    module_.register_parameter(name, value.detach().clone(), /*is_buffer=*/false);
    return "self." + name;
}

std::string SourceWriter::conv2d(const torch::nn::Conv2dImpl& conv, const std::string& path, const std::string& input,
                                 int64_t padding)
{
    const auto& stride = *conv.options.stride();
    std::ostringstream e;
    e << "torch.conv2d(" << input << ", " << tensor(path + ".weight", conv.weight) << ", "
      << tensor(path + ".bias", conv.bias) << ", [" << stride.at(0) << ", " << stride.at(1) << "], [" << padding << ", "
      << padding << "])";
    return e.str();
}

std::string SourceWriter::linear(const torch::nn::LinearImpl& layer, const std::string& path, const std::string& input)
{
    return "torch.linear(" + input + ", " + tensor(path + ".weight", layer.weight) + ", " + tensor(path + ".bias", layer.bias) +
           ")";
}

std::string SourceWriter::groupNorm(const torch::nn::GroupNormImpl& norm, const std::string& path, const std::string& input)
{
    return "torch.group_norm(" + input + ", " + std::to_string(norm.options.num_groups()) + ", " +
           tensor(path + ".weight", norm.weight) + ", " + tensor(path + ".bias", norm.bias) + ", " +
           number(norm.options.eps()) + ")";
}

// The same formulas as layers.cpp's activate().
std::string SourceWriter::activation(Activation act, const std::string& input)
{
    switch (act) {
    case Activation::SiLU: return "torch.silu(" + input + ")";
    case Activation::Mish: return "torch.mul(" + input + ", torch.tanh(torch.softplus(" + input + ")))";
    case Activation::GELU: return "torch.gelu(" + input + ")";
    case Activation::ReLU: return "torch.relu(" + input + ")";
    }
    return input;
}

std::string SourceWriter::number(double value)
{
    std::ostringstream s;
    s.precision(17);
    s << value;
    std::string text = s.str();
    if (text.find_first_of(".en") == std::string::npos) // "2" would be an int in TorchScript
        text += ".0";
    return text;
}

std::string SourceWriter::fresh(const std::string& stem) { return stem + "_" + std::to_string(names_++); }

void SourceWriter::assign(const std::string& target, const std::string& expression)
{
    body_ << "    " << target << " = " << expression << "\n";
}

void SourceWriter::define(const std::string& result)
{
    module_.define("def forward(self, x, t):\n" + body_.str() + "    return " + result + "\n");
}

} // namespace ds::diffusers
