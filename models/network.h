#pragma once
// The interface every network implements: forward(x [N, C, H, W], k int64 [N]). Denoisers
// return a tensor of x's shape (ε, x0 or v: the checkpoint's header says which); the feature
// classifier returns logits and ignores k. Networks describe themselves as JSON, so a
// checkpoint can rebuild them (models/registry.h).
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace ds {

class NetworkImpl : public torch::nn::Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& k) = 0;
    // The config that rebuilds this network with buildNetwork() (includes "kind").
    virtual nlohmann::json config() const = 0;
    // Multiply-adds ×2 of one forward pass for one sample of shape [C, H, W].
    virtual double flopsPerSample() const = 0;

    int64_t parameterCount() const;
};

using Network = std::shared_ptr<NetworkImpl>;

} // namespace ds
