#pragma once
// A small CNN classifier for 28×28 grey images (Fashion-MNIST). Its 128-wide penultimate
// layer is the feature space of diffscope's FID proxy. It shares the NetworkImpl plumbing
// (config, checkpoints) but is not a denoiser: forward(x, k) ignores k and returns logits.
#include "network.h"

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace ds {

struct ClassifierConfig {
    int64_t channels = 1;
    int64_t imageSize = 28; // must be divisible by 4
    int64_t width = 32;     // channels of the first block (the second has 2×)
    int64_t features = 128; // penultimate width: the FID proxy's feature space
    int64_t classes = 10;

    nlohmann::json toJson() const;
    // Throws std::invalid_argument naming the field (wrong type, out of range, over budget).
    static ClassifierConfig fromJson(const nlohmann::json& j);
    double parameterCount() const; // of the network this config builds, without building it
};

class FeatureClassifierImpl : public NetworkImpl {
public:
    explicit FeatureClassifierImpl(const ClassifierConfig& config);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& k) override; // logits [N, classes]
    torch::Tensor logits(const torch::Tensor& x);
    torch::Tensor features(const torch::Tensor& x); // [N, features]
    nlohmann::json config() const override { return config_.toJson(); }
    double flopsPerSample() const override;

private:
    ClassifierConfig config_;
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr}, conv4_{nullptr};
    torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
    torch::nn::Linear hidden_{nullptr}, head_{nullptr};
};

} // namespace ds
