#pragma once
// Builds a network from its JSON config ({"kind": "unet" | "mlp", …}).
#include "network.h"

#include <string>
#include <vector>

namespace ds {

// Throws std::invalid_argument naming the unknown kind or the bad field (a wrong type, a value
// out of range, sizes that do not fit together, more than kMaxNetworkParameters in
// models/config_check.h), always before allocating; the checkpoint loader adds the file's name.
Network buildNetwork(const nlohmann::json& config);
// The parameters buildNetwork(config) would allocate, from the config alone (the same checks).
int64_t networkParameterCount(const nlohmann::json& config);
std::vector<std::string> networkKinds();

} // namespace ds
