#include "pixel_aware_net.h"

#include "config_check.h"

namespace ds {
namespace {

nlohmann::json unetPart(const nlohmann::json& config, const char* part, int64_t in, int64_t out)
{
    auto j = config.value(part, nlohmann::json::object());
    j["kind"] = "unet";
    j["channels"] = in;
    j["out_channels"] = out;
    j["image_size"] = config.value("image_size", int64_t(28));
    return j;
}

} // namespace

PixelAwareNetImpl::PixelAwareNetImpl(const nlohmann::json& config)
{
    channels_ = config.value("channels", int64_t(1));
    steps_ = config.value("steps", int64_t(200));
    requireConfig(channels_ >= 1 && channels_ <= 4, "pixel-aware config: channels must be in 1..4");
    requireConfig(steps_ >= 1 && steps_ <= 2000, "pixel-aware config: steps must be in 1..2000");
    config_ = {{"kind", "pixel-aware"},
               {"channels", channels_},
               {"image_size", config.value("image_size", int64_t(28))},
               {"steps", steps_},
               {"scale", unetPart(config, "scale", channels_, channels_)},
               {"reverse", unetPart(config, "reverse", 2 * channels_, channels_ * steps_)}};
    scale_ = register_module("scale", UNet(UNetConfig::fromJson(config_["scale"])));
    reverse_ = register_module("reverse", UNet(UNetConfig::fromJson(config_["reverse"])));
}

torch::Tensor PixelAwareNetImpl::scale(const torch::Tensor& x, const torch::Tensor& k) { return scale_->forward(x, k); }

torch::Tensor PixelAwareNetImpl::reverse(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& k)
{
    auto z = reverse_->forward(torch::cat({x, scale}, 1), k);
    return z.reshape({x.size(0), steps_, channels_, x.size(2), x.size(3)});
}

double PixelAwareNetImpl::flopsPerSample() const { return scale_->flopsPerSample() + reverse_->flopsPerSample(); }

} // namespace ds
