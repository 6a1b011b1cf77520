#include "cli_common.h"

#include "core/dataset.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/sampler_registry.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

namespace ds::cli {
namespace {

StopToken gInterrupt;

void onInterrupt(int)
{
    gInterrupt.requestStop();
    std::signal(SIGINT, SIG_DFL); // a second Ctrl-C ends the process at once
}

} // namespace

const StopToken& interruptToken() { return gInterrupt; }

void installInterruptHandler() { std::signal(SIGINT, onInterrupt); }

void ScheduleArgs::addTo(CLI::App* cmd)
{
    cmd->add_option("--schedule", kind, "noise schedule: " + scheduleKindChoices())->capture_default_str();
    cmd->add_option("--T", T, "diffusion steps (default 1000; pixel-aware 200)");
    cmd->add_option("--beta-start", betaStart, "linear: beta_1")->capture_default_str();
    cmd->add_option("--beta-end", betaEnd, "linear: beta_T")->capture_default_str();
    cmd->add_option("--cosine-s", cosineOffset, "cosine: offset s")->capture_default_str();
    cmd->add_option("--gamma", gamma, "pixel-aware: gamma")->capture_default_str();
    cmd->add_option("--epsilon", epsilon, "pixel-aware: floor of the rescaled data")->capture_default_str();
}

ScheduleSpec ScheduleArgs::spec() const
{
    ScheduleSpec s;
    s.kind = scheduleKindFromString(kind);
    s.T = T > 0 ? T : (s.kind == ScheduleKind::PixelAware ? 200 : 1000);
    s.betaStart = betaStart;
    s.betaEnd = betaEnd;
    s.cosineOffset = cosineOffset;
    s.gamma = gamma;
    s.epsilon = epsilon;
    s.validate();
    return s;
}

void SamplerArgs::addTo(CLI::App* cmd, bool withSamplerName)
{
    if (withSamplerName)
        cmd->add_option("--sampler", sampler, "sampler: " + samplerChoices())->capture_default_str();
    cmd->add_option("--steps", steps, "reverse steps")->capture_default_str();
    cmd->add_option("--spacing", spacing, "timestep spacing: " + spacingChoices())->capture_default_str();
    cmd->add_option("--eta", eta, "DDIM: eta (0 deterministic, 1 DDPM-like)")->capture_default_str();
    cmd->add_option("--sigma", sigma, "DDPM: sigma^2 = beta-tilde (small) or beta (large)")->capture_default_str();
    cmd->add_option("--sigma-scale", sigmaScale, "DDPM: multiplies sigma_t; 0 = mean path")->capture_default_str();
    cmd->add_flag("--clip", clip, "clamp x0-hat to the data range at every step");
    cmd->add_option("--window", window, "picard-*: steps solved together per round")->capture_default_str();
    cmd->add_option("--tolerance", tolerance, "picard-*: RMS change that counts as converged")->capture_default_str();
}

SamplerOptions SamplerArgs::options() const
{
    SamplerOptions o;
    o.steps = steps;
    o.spacing = spacingFromString(spacing);
    o.eta = eta;
    o.sigma = sigmaModeFromString(sigma);
    o.sigmaScale = sigmaScale;
    o.clipDenoised = clip;
    o.window = window;
    o.tolerance = tolerance;
    return o;
}

void ImageSourceArgs::addTo(CLI::App* cmd)
{
    cmd->add_option("--image", image, "image file (PNG, JPEG, ...); overrides --dataset");
    cmd->add_option("--dataset", dataset, "data set to take items from")->capture_default_str();
    cmd->add_option("--index", index, "first item of the data set")->capture_default_str();
    cmd->add_option("--count", count, "number of items")->capture_default_str();
    cmd->add_option("--size", size, "resize image files so the longer side is this many pixels");
}

at::Tensor ImageSourceArgs::load(DataRange range) const
{
    if (!image.empty()) {
        ImageLoadOptions options;
        options.range = range;
        options.size = size;
        return loadImage(image, options).unsqueeze(0);
    }
    require(index >= 0 && count >= 1, "--index must be >= 0 and --count >= 1");
    DatasetOptions options;
    options.limit = index + count;
    options.range = range;
    auto data = loadDataset(dataset, options);
    require(data.images.size(0) >= index + count, "data set '" + dataset + "' has only "
                                                      + std::to_string(data.images.size(0)) + " items");
    return data.images.narrow(0, index, count);
}

std::string ImageSourceArgs::describe() const
{
    return image.empty() ? dataset + "[" + std::to_string(index) + ".." + std::to_string(index + count - 1) + "]"
                         : image;
}

void note(bool quiet, const std::string& text)
{
    if (!quiet)
        std::cerr << text << '\n';
}

} // namespace ds::cli
