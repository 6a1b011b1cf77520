#include "cli_common.h"

#include "core/data/dataset.h"
#include "models/error.h"
#include "core/interrupt_shield.h"
#include "core/io/image_io.h"
#include "core/samplers/sampler_options.h"
#include "core/samplers/sampler_registry.h"

#include <nlohmann/json.hpp>

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>

namespace ds::cli {
namespace {

StopToken gInterrupt;

// SIGINT and SIGTERM alike: the first asks the work to stop; a later one ends the process at
// once, unless a checkpoint is being saved (core/interrupt_shield.h): then it is ignored.
void onInterrupt(int signal)
{
    static std::atomic<bool> interrupted{false};
    gInterrupt.requestStop();
    if (interrupted.exchange(true) && !InterruptShield::active()) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
    }
}

} // namespace

const StopToken& interruptToken() { return gInterrupt; }

void installInterruptHandler()
{
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

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
        cmd->add_option("--sampler", sampler, "sampler (default: the model's own recommendation, else ddim):\n"
                                                  + samplerHelp());
    for (const auto& field : samplerOptionFields()) {
        std::string key(field.key), flag = "--" + key;
        std::replace(flag.begin(), flag.end(), '_', '-');
        const std::string help(field.help);
        if (field.kind == OptionKind::Flag) {
            const std::string names = key == "clip_denoised" ? "--clip," + flag + ",!--no-clip" : flag + ",!--no-" + flag.substr(2);
            given_[key] = cmd->add_flag(names, flags_[key], help);
        } else {
            auto defaults = toJson(SamplerOptions{});
            const auto byDefault = key == "spacing" ? std::string("the grid measured best for the sampler on the model's "
                                                                  "schedule, see bench-samplers")
                                                    : defaults[key].dump();
            given_[key] = cmd->add_option(flag, values_[key], help + " (default " + byDefault + ")")
                              ->check(CLI::Validator(
                                  [key](std::string& text) {
                                      try {
                                          SamplerOptions scratch;
                                          setOptionText(scratch, key, text, "--" + key);
                                          return std::string();
                                      } catch (const Error& e) {
                                          return std::string(e.what());
                                      }
                                  },
                                  "", ""));
        }
    }
}

std::string SamplerArgs::samplerName(const DenoiserInfo* model) const
{
    if (!sampler.empty())
        return sampler;
    return model ? defaultSamplerFor(*model) : "ddim";
}

namespace {

nlohmann::json recommended(const DenoiserInfo* model)
{
    if (!model || model->recommendedOptions.empty())
        return nlohmann::json::object();
    auto j = nlohmann::json::parse(model->recommendedOptions, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
}

} // namespace

SamplerOptions SamplerArgs::options(const DenoiserInfo* model) const
{
    const auto name = samplerName(model);
    const auto& entry = samplerEntry(name);
    auto o = model ? defaultOptions(name, model->schedule) : defaultOptions(name);
    const auto fromConfig = recommended(model);
    for (const auto& [key, value] : fromConfig.items())
        if (entry.readsOption(key))
            setOptionValue(o, key, value, model->source);
    for (const auto& [key, option] : given_) {
        if (option->count() == 0)
            continue;
        if (flags_.count(key))
            setOptionValue(o, key, flags_.at(key), "--" + key);
        else
            setOptionText(o, key, values_.at(key), "--" + key);
    }
    return o;
}

std::string SamplerArgs::fromModel(const DenoiserInfo* model) const
{
    std::string out;
    const auto& entry = samplerEntry(samplerName(model));
    const auto fromConfig = recommended(model);
    for (const auto& [key, value] : fromConfig.items())
        if (entry.readsOption(key) && given_.at(key)->count() == 0)
            out += (out.empty() ? "" : ", ") + key + " " + value.dump();
    return out;
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

void addSchedulerConfigOption(CLI::App* cmd, std::string& file)
{
    cmd->add_option("--scheduler-config", file, "diffusers folders: use this scheduler_config.json instead of the "
                                                "folder's own");
}

std::string withSchedulerConfig(const std::string& model, const std::string& file)
{
    if (file.empty())
        return model;
    std::error_code ec;
    require(std::filesystem::is_directory(model, ec),
            "--scheduler-config applies to diffusers model folders; '" + model + "' is not a folder");
    return model + "?scheduler_config=" + file;
}

void note(bool quiet, const std::string& text)
{
    if (!quiet)
        std::cerr << text << '\n';
}

} // namespace ds::cli
