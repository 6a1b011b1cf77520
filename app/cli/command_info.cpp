// diffscope-cli info MODEL [--json]: what a checkpoint or oracle is.
#include "cli_common.h"
#include "commands.h"

#include "core/denoiser_loader.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace ds::cli {
namespace {

struct InfoArgs {
    std::string model;
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
            {"notes", i.notes}};
}

void runInfo(const InfoArgs& args)
{
    auto denoiser = openDenoiser(args.model);
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
    cmd->add_option("model", args->model, "a .pt file or oracle:<data set>[?n=…]")->required();
    cmd->add_flag("--json", args->json, "print JSON");
    cmd->callback([args] { runInfo(*args); });
}

} // namespace ds::cli
