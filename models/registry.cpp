#include "registry.h"

#include "classifier.h"
#include "config_check.h"
#include "mlp.h"
#include "pixel_aware_net.h"
#include "unet.h"

namespace ds {

std::vector<std::string> networkKinds() { return {"unet", "mlp", "classifier", "pixel-aware"}; }

Network buildNetwork(const nlohmann::json& config)
{
    requireConfig(config.is_object() && config.contains("kind") && config["kind"].is_string(),
            "network config needs a \"kind\" (unet, mlp or classifier)");
    const auto kind = config["kind"].get<std::string>();
    if (kind == "unet")
        return std::make_shared<UNetImpl>(UNetConfig::fromJson(config));
    if (kind == "mlp")
        return std::make_shared<MlpImpl>(MlpConfig::fromJson(config));
    if (kind == "pixel-aware")
        return std::make_shared<PixelAwareNetImpl>(config);
    if (kind == "classifier")
        return std::make_shared<FeatureClassifierImpl>(ClassifierConfig::fromJson(config));
    throw std::invalid_argument("unknown network kind '" + kind + "' (known: unet, mlp, classifier, pixel-aware)");
}

} // namespace ds
