// diffscope-cli info MODEL [--json]: what a checkpoint, diffusers folder or oracle is.
#include "cli_common.h"
#include "commands.h"

#include "core/denoisers/denoiser_loader.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace ds::cli {
namespace {

struct InfoArgs {
    std::string model;
    std::string schedulerConfig;
    bool json = false;
};

nlohmann::json infoJson(const Denoiser& d)
{
    const auto& i = d.info();
    return {{"source", i.source},         {"kind", i.kind},
            {"prediction", std::string(name(i.prediction))},
            {"schedule", toJson(i.schedule)}, {"shape", i.shape},
            {"data_range", {i.range.lo, i.range.hi}},
            {"dataset", i.dataset},       {"parameters", i.parameters},
            {"notes", i.notes},           {"weights_dtype", i.weightsDtype},
            {"recommended_sampler", i.recommendedSampler},
            {"recommended_options", i.recommendedOptions.empty() ? nlohmann::json::object()
                                                                 : nlohmann::json::parse(i.recommendedOptions)}};
}

void runInfo(const InfoArgs& args)
{
    auto denoiser = openDenoiser(withSchedulerConfig(args.model, args.schedulerConfig));
    if (args.json)
        std::cout << infoJson(*denoiser).dump(2) << '\n';
    else
        std::cout << describeDenoiser(*denoiser);
}

} // namespace

void registerInfoCommand(CLI::App& app)
{
    auto args = std::make_shared<InfoArgs>();
    auto* cmd = app.add_subcommand("info", "summarise a checkpoint, TorchScript model or oracle spec");
    auto* model = cmd->add_option("model", args->model, "a .pt or .dsckpt file, a diffusers folder or oracle:<data set>[?n=…]");
    cmd->add_option("--checkpoint", args->model, "the model, as an option (as the other commands take it)")->excludes(model);
    addSchedulerConfigOption(cmd, args->schedulerConfig);
    cmd->add_flag("--json", args->json, "print JSON");
    cmd->callback([args] {
        if (args->model.empty())
            throw CLI::RequiredError("MODEL or --checkpoint");
        runInfo(*args);
    });
}

} // namespace ds::cli
