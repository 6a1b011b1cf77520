#include "command_manifest.h"

#include "cli_common.h"
#include "commands.h"

#include "core/instruments/manifest.h"
#include "core/io/sha256.h"
#include "core/io/trajectory_io.h"

#include <CLI/CLI.hpp>

#include <filesystem>

namespace ds::cli {
namespace {

// The companion suffix of `path` relative to another output of the same option ("" if none).
std::string companionSuffix(const Outputs& outputs, const std::string& option, const std::string& path)
{
    for (const auto& [o, base] : outputs)
        for (const char* suffix : {".t", ".x0"})
            if (o == option && base != path && companionPath(base, suffix) == path)
                return suffix;
    return "";
}

} // namespace

void addManifestFlag(CLI::App* cmd, bool& disabled)
{
    cmd->add_flag("--no-manifest", disabled, "do not write OUT.manifest.json (the reproducibility record `replay` reads)");
}

void writeCommandManifest(const ManifestRequest& request, bool disabled, bool quiet)
{
    if (disabled || request.outputs.empty())
        return;
    Manifest m;
    m.program = std::string("diffscope-cli ") + DIFFSCOPE_VERSION;
    m.commandLine = recordedCommandLine();
    m.workingDirectory = std::filesystem::current_path().string();
    m.command = request.command;
    m.settings = request.settings;
    m.settings["rng_order"] = kRngOrderNote;
    for (const auto& input : request.inputs)
        if (!input.empty())
            m.settings["inputs"][input] = sha256File(input);
    m.checkpoint = request.checkpoint;
    m.checkpointSha256 = request.checkpoint.empty() ? "" : checkpointDigest(request.checkpoint);
    m.device = request.device;
    m.libtorch = libtorchVersion();
    for (const auto& [option, path] : request.outputs)
        m.outputs.push_back({option, companionSuffix(request.outputs, option, path), path, sha256File(path)});
    const auto path = manifestPathFor(request.outputs.front().second);
    saveManifest(path, m);
    note(quiet, "wrote " + path);
}

} // namespace ds::cli
