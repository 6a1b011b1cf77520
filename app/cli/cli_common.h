#pragma once
// Pieces shared by the diffscope-cli subcommands: option groups, Ctrl-C, small helpers.
#include "core/data/data_range.h"
#include "core/denoisers/denoiser.h"
#include "core/samplers/sampler.h"
#include "core/schedule.h"
#include "core/stop_token.h"

#include <ATen/core/Tensor.h>
#include <CLI/App.hpp>
#include <c10/core/Device.h>

#include <map>
#include <string>

namespace ds::cli {

// Set by the first Ctrl-C or SIGTERM; long commands poll it and end cleanly. A second one
// kills, except while a checkpoint is saved or a training loop runs (core/interrupt_shield.h).
const StopToken& interruptToken();
void installInterruptHandler();

// --schedule / --T / --beta-start / --beta-end / --cosine-s / --gamma / --epsilon.
struct ScheduleArgs {
    std::string kind = "linear";
    int64_t T = 0; // 0: the kind's default (1000, or 200 for pixel-aware)
    double betaStart = 1e-4;
    double betaEnd = 0.02;
    double cosineOffset = 0.008;
    double gamma = 20.0;
    double epsilon = 4e-3;

    void addTo(CLI::App* cmd);
    ScheduleSpec spec() const;
};

// Where an image comes from: --image FILE, or --dataset NAME with --index/--count.
struct ImageSourceArgs {
    std::string image;
    std::string dataset = "fashion-mnist";
    int64_t index = 0;
    int64_t count = 1;
    int64_t size = 0; // --size: resize image files so the longer side is this

    void addTo(CLI::App* cmd);
    // [N, C, H, W] float32 in `range`.
    at::Tensor load(DataRange range) const;
    std::string describe() const;
};

// --sampler plus one flag per sampler option (core/sampler_options.h: "--" + key with '_' → '-',
// and --clip for --clip-denoised). Unset flags take the sampler's registry defaults, then what
// the model's own config recommends (a diffusers scheduler), for the options the sampler reads.
struct SamplerArgs {
    std::string sampler; // empty: the model's recommendation, else ddim

    void addTo(CLI::App* cmd, bool withSamplerName = true);
    // The sampler name to run for `model` (may be null).
    std::string samplerName(const DenoiserInfo* model = nullptr) const;
    SamplerOptions options(const DenoiserInfo* model = nullptr) const;
    // Which options came from the model's config rather than the defaults or the command line.
    std::string fromModel(const DenoiserInfo* model) const;

private:
    std::map<std::string, std::string> values_;
    std::map<std::string, bool> flags_;
    std::map<std::string, CLI::Option*> given_;
};

// --scheduler-config FILE for commands that open a model: replaces a diffusers folder's own
// scheduler_config.json. withSchedulerConfig() appends it to the model spec
// ("folder?scheduler_config=FILE", core/denoiser_loader.h); an empty FILE leaves it as is.
void addSchedulerConfigOption(CLI::App* cmd, std::string& file);
std::string withSchedulerConfig(const std::string& model, const std::string& file);

// Writes a one-line note to stderr unless --quiet.
void note(bool quiet, const std::string& text);

} // namespace ds::cli
