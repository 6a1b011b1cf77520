#pragma once
// The samplers diffscope knows, by the names the CLI, GUI and JSON use.
// Adding a sampler: one file in samplers/ plus one row in sampler_registry.cpp.
#include "sampler.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ds {

struct SamplerEntry {
    std::string_view name;        // "ddim"
    std::string_view description; // one line for --help and the GUI
    bool stochastic;              // draws per-step noise (for some option values)
    std::unique_ptr<Sampler> (*make)();
};

const std::vector<SamplerEntry>& samplerRegistry();
// Throws ds::Error listing the known names.
std::unique_ptr<Sampler> makeSampler(std::string_view name);
std::string samplerChoices();

} // namespace ds
