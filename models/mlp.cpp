#include "mlp.h"

#include "config_check.h"
#include "time_embedding.h"

#include <torch/nn/functional/activation.h>

namespace ds {
namespace F = torch::nn::functional;

nlohmann::json MlpConfig::toJson() const
{
    return {{"kind", "mlp"}, {"dims", dims}, {"hidden", hidden}, {"layers", layers}, {"time_dim", timeDim}};
}

MlpConfig MlpConfig::fromJson(const nlohmann::json& j)
{
    MlpConfig c;
    try {
        c.dims = j.value("dims", c.dims);
        c.hidden = j.value("hidden", c.hidden);
        c.layers = j.value("layers", c.layers);
        c.timeDim = j.value("time_dim", c.timeDim);
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("mlp config: ") + e.what());
    }
    requireConfig(c.dims >= 1 && c.dims <= 4096 && c.hidden >= 4 && c.hidden <= 8192 && c.layers >= 1 && c.layers <= 32,
            "mlp config: dims, hidden or layers out of range");
    requireConfig(c.timeDim >= 4 && c.timeDim % 2 == 0, "mlp config: time_dim must be even and >= 4");
    return c;
}

MlpImpl::MlpImpl(const MlpConfig& config) : config_(MlpConfig::fromJson(config.toJson()))
{
    input_ = register_module("input", torch::nn::Linear(config_.dims + config_.timeDim, config_.hidden));
    hidden_ = register_module("hidden", torch::nn::ModuleList());
    for (int64_t i = 1; i < config_.layers; ++i)
        hidden_->push_back(torch::nn::Linear(config_.hidden, config_.hidden));
    output_ = register_module("output", torch::nn::Linear(config_.hidden, config_.dims));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x, const torch::Tensor& k)
{
    auto flat = x.reshape({x.size(0), -1});
    auto h = F::silu(input_(torch::cat({flat, sinusoidalEmbedding(k, config_.timeDim)}, 1)));
    for (const auto& layer : *hidden_) // h ← h + SiLU(W h)
        h = h + F::silu(layer->as<torch::nn::Linear>()->forward(h));
    return output_(h).reshape(x.sizes());
}

double MlpImpl::flopsPerSample() const
{
    const double in = double(config_.dims + config_.timeDim), h = double(config_.hidden);
    return 2.0 * (in * h + double(config_.layers - 1) * h * h + h * double(config_.dims));
}

} // namespace ds
