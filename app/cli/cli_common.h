#pragma once
// Pieces shared by the diffscope-cli subcommands: option groups, Ctrl-C, small helpers.
#include "core/data_range.h"
#include "core/sampler.h"
#include "core/schedule.h"
#include "core/stop_token.h"

#include <ATen/core/Tensor.h>
#include <CLI/App.hpp>
#include <c10/core/Device.h>

#include <string>

namespace ds::cli {

// Set by the first Ctrl-C; long commands poll it and end cleanly. A second Ctrl-C kills.
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

// --sampler / --steps / --spacing / --eta / --sigma / --sigma-scale / --clip.
struct SamplerArgs {
    std::string sampler = "ddim";
    int64_t steps = 50;
    std::string spacing = "logsnr";
    double eta = 0.0;
    std::string sigma = "small";
    double sigmaScale = 1.0;
    bool clip = false;
    int64_t window = 32;
    double tolerance = 1e-3;

    void addTo(CLI::App* cmd, bool withSamplerName = true);
    SamplerOptions options() const;
};

// Writes a one-line note to stderr unless --quiet.
void note(bool quiet, const std::string& text);

} // namespace ds::cli
