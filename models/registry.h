#pragma once
// Builds a network from its JSON config ({"kind": "unet" | "mlp", …}).
#include "network.h"

#include <string>
#include <vector>

namespace ds {

// Throws ds::Error naming the unknown kind or the bad field.
Network buildNetwork(const nlohmann::json& config);
std::vector<std::string> networkKinds();

} // namespace ds
