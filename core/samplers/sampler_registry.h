#pragma once
// The samplers diffscope knows: the only place that says what a sampler is — its name (the
// CLI's, the GUI's and JSON's spelling), the kind of model it drives, the options it reads and
// its defaults. The CLI's flags and help, the GUI's controls and the model pickers derive from
// it. Adding a sampler: one file in samplers/ plus one row in sampler_registry.cpp.
#include "sampler.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ds {

struct SamplerEntry {
    std::string_view name;              // "ddim"
    std::string_view description;       // one line for --help and the GUI
    ModelRole role;                     // the models it drives
    bool stochastic;                    // draws per-step noise (for some option values)
    std::vector<std::string_view> reads; // option keys (sampler_options.h) it reads, in display order
    void (*defaults)(SamplerOptions&);  // its defaults over SamplerOptions{} (nullptr: none)
    std::unique_ptr<Sampler> (*make)();

    bool readsOption(std::string_view key) const;
};

const std::vector<SamplerEntry>& samplerRegistry();
// Throws ds::Error listing the known names.
const SamplerEntry& samplerEntry(std::string_view name);
std::unique_ptr<Sampler> makeSampler(std::string_view name);
// SamplerOptions{} with the sampler's own defaults applied.
SamplerOptions defaultOptions(std::string_view name);
// The same with the timestep grid measured best for this sampler on `schedule`'s kind (exact
// W2 on Gaussian data at 20 NFE, `diffscope-cli bench-samplers`, docs/benchmarks.md): cosine
// has its own column; every other scalar schedule takes the linear one.
SamplerOptions defaultOptions(std::string_view name, const ScheduleSpec& schedule);
std::string samplerChoices();
// The samplers that drive models of `role`, comma-separated, for messages.
std::string samplerNamesFor(ModelRole role);
// The first sampler the registry lists for `role` (ddpm for denoisers, dnm, pixel-aware).
std::string_view firstSamplerFor(ModelRole role);
// The sampler a model gets when nobody chose one (CLI, app, training previews): the model's own
// recommendation (a diffusers scheduler config), else DDIM for denoisers (few steps, no noise
// to tune), else the one sampler of its role.
std::string defaultSamplerFor(const DenoiserInfo& model);
// Every sampler with the options it reads, one per line, for `sample --help`.
std::string samplerHelp();

} // namespace ds
