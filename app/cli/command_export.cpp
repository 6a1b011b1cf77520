// diffscope-cli export-torchscript / slim: a native checkpoint (export-torchscript: also a
// diffusers UNet2DModel folder) for PyTorch, or for shipping. Both take CHECKPOINT OUT as
// positionals or as --checkpoint / --out.
#include "cli_common.h"
#include "commands.h"

#include "core/export/model_export.h"
#include "core/io/output_path.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace ds::cli {
namespace {

struct ExportArgs {
    std::vector<std::string> files; // positionals: [checkpoint] [out]
    std::string checkpoint;
    std::string out;

    void addTo(CLI::App* cmd, const std::string& inHelp, const std::string& outHelp)
    {
        cmd->add_option("files", files, "CHECKPOINT OUT (" + inHelp + ", then the file to write: " + outHelp + ")")
            ->expected(0, 2);
        cmd->add_option("--checkpoint", checkpoint, inHelp);
        cmd->add_option("--out", out, outHelp);
    }

    // Options first, positionals fill what is left; the output is checked before any work.
    std::pair<std::string, std::string> resolve() const
    {
        auto rest = files;
        auto take = [&rest](const std::string& given) {
            if (!given.empty() || rest.empty())
                return given;
            auto first = rest.front();
            rest.erase(rest.begin());
            return first;
        };
        const auto in = take(checkpoint), to = take(out);
        if (in.empty() || to.empty() || !rest.empty())
            throw CLI::ValidationError("give one CHECKPOINT and one OUT (as positionals or --checkpoint / --out)");
        requireWritableOutput(to, "--out", {in});
        return {in, to};
    }
};

} // namespace

void registerExportCommands(CLI::App& app)
{
    auto ts = std::make_shared<ExportArgs>();
    auto* tsCmd = app.add_subcommand("export-torchscript", "write a checkpoint's EMA network, or a diffusers "
                                                           "UNet2DModel folder, as TorchScript (+ diffscope.json)");
    ts->addTo(tsCmd, "native checkpoint (.dsckpt) or diffusers UNet2DModel folder", "TorchScript file to write (.pt)");
    tsCmd->callback([ts] {
        const auto [in, out] = ts->resolve();
        auto check = exportTorchScript(in, out);
        std::cout << "wrote " << out << " (" << check.parameters << " parameters; max |native - exported| = "
                  << check.maxDifference << ")\n";
    });
    auto slim = std::make_shared<ExportArgs>();
    auto* slimCmd = app.add_subcommand("slim", "write an inference-only copy of a checkpoint (EMA weights, no optimizer)");
    slim->addTo(slimCmd, "native checkpoint (.dsckpt)", "checkpoint to write");
    slimCmd->callback([slim] {
        const auto [in, out] = slim->resolve();
        writeSlimCheckpoint(in, out);
        std::cout << "wrote " << out << '\n';
    });
}

} // namespace ds::cli
