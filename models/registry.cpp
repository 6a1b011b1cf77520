#include "registry.h"

#include "classifier.h"
#include "config_check.h"
#include "models/error.h"
#include "diffusers_unet.h"
#include "mlp.h"
#include "pixel_aware_net.h"
#include "unet.h"

namespace ds {

namespace {

// {"kind": "diffusers-unet", "config": <UNet2DModel config.json>}; its ds::Errors become
// std::invalid_argument, as every other kind's.
template <class Work>
auto asConfigError(Work&& work) -> decltype(work())
{
    try {
        return work();
    } catch (const Error& e) {
        throw std::invalid_argument(e.what());
    }
}

DiffusersUNetConfig diffusersConfig(const nlohmann::json& config)
{
    requireConfig(config.contains("config") && config["config"].is_object(),
                  "network kind \"diffusers-unet\" needs \"config\": a diffusers UNet2DModel config object");
    for (const auto& item : config.items())
        requireConfig(item.key() == "kind" || item.key() == "config",
                      "network kind \"diffusers-unet\" takes only \"kind\" and \"config\", not \"" + item.key() + "\"");
    return asConfigError([&] { return DiffusersUNetConfig::fromJson(config["config"], "network config"); });
}

const std::string& kindOf(const nlohmann::json& config)
{
    requireConfig(config.is_object() && config.contains("kind") && config["kind"].is_string(),
            "network config needs a \"kind\" (unet, mlp, classifier, pixel-aware or diffusers-unet)");
    return config["kind"].get_ref<const std::string&>();
}

[[noreturn]] void unknownKind(const std::string& kind)
{
    throw std::invalid_argument("unknown network kind '" + kind + "' (known: unet, mlp, classifier, pixel-aware, diffusers-unet)");
}

} // namespace

std::vector<std::string> networkKinds() { return {"unet", "mlp", "classifier", "pixel-aware", "diffusers-unet"}; }

Network buildNetwork(const nlohmann::json& config)
{
    const auto& kind = kindOf(config);
    if (kind == "unet")
        return std::make_shared<UNetImpl>(UNetConfig::fromJson(config));
    if (kind == "mlp")
        return std::make_shared<MlpImpl>(MlpConfig::fromJson(config));
    if (kind == "pixel-aware")
        return std::make_shared<PixelAwareNetImpl>(config);
    if (kind == "classifier")
        return std::make_shared<FeatureClassifierImpl>(ClassifierConfig::fromJson(config));
    if (kind == DiffusersUNet2DImpl::kKind) {
        const auto c = diffusersConfig(config);
        return asConfigError([&] { return DiffusersUNet2D(c).ptr(); });
    }
    unknownKind(kind);
}

int64_t networkParameterCount(const nlohmann::json& config)
{
    const auto& kind = kindOf(config);
    if (kind == "unet")
        return int64_t(UNetConfig::fromJson(config).parameterCount());
    if (kind == "mlp")
        return int64_t(MlpConfig::fromJson(config).parameterCount());
    if (kind == "pixel-aware")
        return int64_t(PixelAwareNetImpl::parameterCount(PixelAwareNetImpl::normalizedConfig(config)));
    if (kind == "classifier")
        return int64_t(ClassifierConfig::fromJson(config).parameterCount());
    if (kind == DiffusersUNet2DImpl::kKind)
        return int64_t(diffusersConfig(config).parameterCount());
    unknownKind(kind);
}

} // namespace ds
