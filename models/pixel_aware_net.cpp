#include "pixel_aware_net.h"

#include "config_check.h"

namespace ds {
namespace {

// One of the two UNets: its fields as given, with the channel counts and the image size that the
// pixel-aware config decides. A part that names other values is refused, not overridden.
nlohmann::json unetPart(const ConfigFields& f, const nlohmann::json& config, const char* part, int64_t in, int64_t out,
                        int64_t imageSize)
{
    auto j = config.contains(part) ? config[part] : nlohmann::json::object();
    if (!j.is_object())
        f.fail(part, "must be a JSON object of unet fields, not " + ConfigFields::shown(j));
    const std::string where = std::string(part) + ".";
    auto setOrMatch = [&](const char* key, const nlohmann::json& value, const char* reason) {
        if (j.contains(key) && j[key] != value)
            f.fail(where + key, "is " + ConfigFields::shown(j[key]) + ", but must be " + value.dump() + " (" + reason + ")");
        j[key] = value;
    };
    setOrMatch("kind", "unet", "both parts are UNets");
    setOrMatch("channels", in, std::string(part) == "scale" ? "channels" : "2·channels: x and the scale estimate");
    setOrMatch("out_channels", out, std::string(part) == "scale" ? "channels" : "channels·steps");
    setOrMatch("image_size", imageSize, "the pixel-aware image_size");
    try {
        UNetConfig::fromJson(j);
    } catch (const std::invalid_argument& e) {
        f.fail(part, std::string("is refused: ") + e.what());
    }
    return j;
}

} // namespace

nlohmann::json PixelAwareNetImpl::normalizedConfig(const nlohmann::json& config)
{
    const ConfigFields f(config, "pixel-aware config");
    f.onlyKeys({"kind", "channels", "image_size", "steps", "scale", "reverse"});
    const auto channels = f.integer("channels", 1, 1, 4);
    const auto steps = f.integer("steps", 200, 1, 2000);
    const auto imageSize = f.integer("image_size", 28, 4, 1024);
    nlohmann::json j{{"kind", "pixel-aware"},
                     {"channels", channels},
                     {"image_size", imageSize},
                     {"steps", steps},
                     {"scale", unetPart(f, config, "scale", channels, channels, imageSize)},
                     {"reverse", unetPart(f, config, "reverse", 2 * channels, channels * steps, imageSize)}};
    requireParameterBudget(parameterCount(j), "pixel-aware config", "scale and reverse together");
    return j;
}

double PixelAwareNetImpl::parameterCount(const nlohmann::json& normalized)
{
    return UNetConfig::fromJson(normalized["scale"]).parameterCount() + UNetConfig::fromJson(normalized["reverse"]).parameterCount();
}

PixelAwareNetImpl::PixelAwareNetImpl(const nlohmann::json& config) : config_(normalizedConfig(config))
{
    channels_ = config_["channels"].get<int64_t>();
    steps_ = config_["steps"].get<int64_t>();
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
