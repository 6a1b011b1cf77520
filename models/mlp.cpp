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
    const ConfigFields f(j, "mlp config");
    f.onlyKeys({"kind", "dims", "hidden", "layers", "time_dim"});
    MlpConfig c;
    c.dims = f.integer("dims", c.dims, 1, 4096);
    c.hidden = f.integer("hidden", c.hidden, 4, 8192);
    c.layers = f.integer("layers", c.layers, 1, 32);
    c.timeDim = f.integer("time_dim", c.timeDim, 4, 8192);
    if (c.timeDim % 2 != 0) // sinusoidal: sin and cos halves
        f.fail("time_dim", "must be even, not " + std::to_string(c.timeDim));
    requireParameterBudget(c.parameterCount(), "mlp config", "dims, hidden and layers");
    return c;
}

// [x, emb] → hidden, (layers − 1) hidden → hidden, hidden → x.
double MlpConfig::parameterCount() const
{
    const double h = double(hidden);
    return linearParameters(double(dims + timeDim), h) + double(layers - 1) * linearParameters(h, h)
           + linearParameters(h, double(dims));
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
