// diffscope-cli export-torchscript / slim: a native checkpoint for PyTorch, or for shipping.
#include "cli_common.h"
#include "commands.h"

#include "core/model_export.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace ds::cli {

void registerExportCommands(CLI::App& app)
{
    auto paths = std::make_shared<std::pair<std::string, std::string>>();
    auto* ts = app.add_subcommand("export-torchscript", "write a checkpoint's EMA network as TorchScript (+ diffscope.json)");
    ts->add_option("checkpoint", paths->first, "native checkpoint (.dsckpt)")->required();
    ts->add_option("out", paths->second, "TorchScript file to write (.pt)")->required();
    ts->callback([paths] {
        auto check = exportTorchScript(paths->first, paths->second);
        std::cout << "wrote " << paths->second << " (" << check.parameters << " parameters; max |native - exported| = "
                  << check.maxDifference << ")\n";
    });
    auto* slim = app.add_subcommand("slim", "write an inference-only copy of a checkpoint (EMA weights, no optimizer)");
    slim->add_option("checkpoint", paths->first, "native checkpoint (.dsckpt)")->required();
    slim->add_option("out", paths->second, "checkpoint to write")->required();
    slim->callback([paths] {
        writeSlimCheckpoint(paths->first, paths->second);
        std::cout << "wrote " << paths->second << '\n';
    });
}

} // namespace ds::cli
