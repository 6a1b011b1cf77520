// diffscope-cli convert: a native checkpoint of network kind diffusers-unet as a diffusers
// pipeline folder (core/export/model_export.h), so models trained here go to diffusers users.
#include "commands.h"

#include "models/error.h"
#include "core/export/model_export.h"
#include "core/io/output_path.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

namespace ds::cli {

void registerConvertCommand(CLI::App& app)
{
    struct Args {
        std::string checkpoint, out;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("convert", "write a diffusers-unet checkpoint as a diffusers folder "
                                              "(model_index.json, unet/, scheduler/)");
    cmd->add_option("--checkpoint", args->checkpoint, "native checkpoint (.dsckpt) of network kind diffusers-unet")
        ->required();
    cmd->add_option("--out", args->out, "the folder to create (must not exist yet)")->required();
    cmd->callback([args] {
        while (args->out.size() > 1 && args->out.back() == '/') // FOLDER/ names FOLDER
            args->out.pop_back();
        std::error_code ec;
        require(!std::filesystem::exists(args->out, ec), "--out ", args->out,
                ": already exists; convert writes a new folder (remove it or choose another)");
        requireWritableOutput(args->out, "--out", {args->checkpoint});
        const auto summary = writeDiffusersFolder(args->checkpoint, args->out);
        std::cout << "wrote " << args->out << " (" << summary.parameters << " parameters; DDPMScheduler with "
                  << summary.betaSchedule << ", clip_sample " << (summary.clipSample ? "true" : "false") << ")\n";
    });
}

} // namespace ds::cli
