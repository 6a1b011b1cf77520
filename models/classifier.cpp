#include "classifier.h"

#include "config_check.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>

namespace ds {
namespace F = torch::nn::functional;
namespace {

torch::nn::Conv2d conv3(int64_t in, int64_t out)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1));
}

} // namespace

nlohmann::json ClassifierConfig::toJson() const
{
    return {{"kind", "classifier"}, {"channels", channels}, {"image_size", imageSize},
            {"width", width},       {"features", features}, {"classes", classes}};
}

ClassifierConfig ClassifierConfig::fromJson(const nlohmann::json& j)
{
    const ConfigFields f(j, "classifier config");
    f.onlyKeys({"kind", "channels", "image_size", "width", "features", "classes"});
    ClassifierConfig c;
    c.channels = f.integer("channels", c.channels, 1, 64);
    c.imageSize = f.integer("image_size", c.imageSize, 4, 1024);
    c.width = f.integer("width", c.width, 8, 1024);
    c.features = f.integer("features", c.features, 2, 65536);
    c.classes = f.integer("classes", c.classes, 2, 65536);
    if (c.imageSize % 4 != 0) // two 2×2 poolings
        f.fail("image_size", "must be a multiple of 4, not " + std::to_string(c.imageSize));
    if (c.width % 8 != 0) // GroupNorm(8, width)
        f.fail("width", "must be a multiple of 8, not " + std::to_string(c.width));
    requireParameterBudget(c.parameterCount(), "classifier config", "width, image_size, features and classes");
    return c;
}

// conv1..conv4 (3×3), two GroupNorms, the dense layer over 2w·(S/4)² and the head.
double ClassifierConfig::parameterCount() const
{
    const double w = double(width), side = double(imageSize / 4);
    return convParameters(double(channels), w, 3) + groupNormParameters(w) + convParameters(w, w, 3)
           + convParameters(w, 2 * w, 3) + groupNormParameters(2 * w) + convParameters(2 * w, 2 * w, 3)
           + linearParameters(2 * w * side * side, double(features)) + linearParameters(double(features), double(classes));
}

FeatureClassifierImpl::FeatureClassifierImpl(const ClassifierConfig& config) : config_(ClassifierConfig::fromJson(config.toJson()))
{
    const auto w = config_.width;
    conv1_ = register_module("conv1", conv3(config_.channels, w));
    norm1_ = register_module("norm1", torch::nn::GroupNorm(8, w));
    conv2_ = register_module("conv2", conv3(w, w));
    conv3_ = register_module("conv3", conv3(w, 2 * w));
    norm2_ = register_module("norm2", torch::nn::GroupNorm(8, 2 * w));
    conv4_ = register_module("conv4", conv3(2 * w, 2 * w));
    const auto side = config_.imageSize / 4;
    hidden_ = register_module("hidden", torch::nn::Linear(2 * w * side * side, config_.features));
    head_ = register_module("head", torch::nn::Linear(config_.features, config_.classes));
}

// Two blocks of (conv, norm, SiLU, conv, SiLU, 2×2 max-pool), then a SiLU layer: the features.
torch::Tensor FeatureClassifierImpl::features(const torch::Tensor& x)
{
    auto h = F::silu(conv2_(F::silu(norm1_(conv1_(x)))));
    h = F::max_pool2d(h, F::MaxPool2dFuncOptions(2));
    h = F::silu(conv4_(F::silu(norm2_(conv3_(h)))));
    h = F::max_pool2d(h, F::MaxPool2dFuncOptions(2));
    return F::silu(hidden_(h.flatten(1)));
}

torch::Tensor FeatureClassifierImpl::logits(const torch::Tensor& x) { return head_(features(x)); }

torch::Tensor FeatureClassifierImpl::forward(const torch::Tensor& x, const torch::Tensor&) { return logits(x); }

double FeatureClassifierImpl::flopsPerSample() const
{
    const double s = double(config_.imageSize), w = double(config_.width), c = double(config_.channels);
    const double block1 = 2 * 9 * (c * w + w * w) * s * s;
    const double block2 = 2 * 9 * (w * 2 * w + 4 * w * w) * (s / 2) * (s / 2);
    const double dense = 2 * (2 * w * (s / 4) * (s / 4) * double(config_.features) + double(config_.features * config_.classes));
    return block1 + block2 + dense;
}

} // namespace ds
