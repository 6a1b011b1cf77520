#include "manifest.h"

#include "models/error.h"
#include "models/json_fields.h"
#include "core/io/atomic_file.h"
#include "core/user_message.h"
#include "core/io/sha256.h"

#include <torch/version.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace ds {

const char* const kRngOrderNote =
    "one CPU torch generator seeded with `seed`; randn([N, C, H, W]) float32 on the CPU, moved to the device; x_T "
    "first (unless given), then one draw per step that adds noise, in step order";

nlohmann::json toJson(const Manifest& m)
{
    nlohmann::json outputs = nlohmann::json::array();
    for (const auto& o : m.outputs)
        outputs.push_back({{"option", o.option}, {"suffix", o.suffix}, {"path", o.path}, {"sha256", o.sha256}});
    return {{"format", "diffscope-manifest"},
            {"version", 1},
            {"program", m.program},
            {"command_line", m.commandLine},
            {"working_directory", m.workingDirectory},
            {"command", m.command},
            {"settings", m.settings},
            {"checkpoint", {{"spec", m.checkpoint}, {"sha256", m.checkpointSha256}}},
            {"device", m.device},
            {"libtorch", m.libtorch},
            {"outputs", outputs}};
}

Manifest manifestFromJson(const nlohmann::json& j, const std::string& where)
{
    require(j.is_object() && j.contains("format") && j["format"] == "diffscope-manifest", where, ": not a diffscope manifest");
    const JsonFields f(j, where);
    const auto version = f.requiredInteger("version");
    require(version == 1, where, ": unsupported manifest version ", version);
    Manifest m;
    m.program = f.requiredString("program");
    m.commandLine = f.strings("command_line", {});
    require(f.has("command_line"), where, ": command_line is missing");
    m.workingDirectory = f.string("working_directory", "");
    m.command = f.requiredString("command");
    // The app's exports have no command line: replay checks their files instead.
    require(m.commandLine.size() >= 2 || m.command == kGuiExportCommand, where, ": command_line has no command");
    m.settings = f.has("settings") ? f.required("settings") : nlohmann::json::object();
    require(m.settings.is_object(), where, ": settings must be an object");
    const JsonFields checkpoint(f.required("checkpoint"), where + ": checkpoint");
    m.checkpoint = checkpoint.requiredString("spec");
    m.checkpointSha256 = checkpoint.requiredString("sha256");
    m.device = f.requiredString("device");
    m.libtorch = f.requiredString("libtorch");
    const auto& outputs = f.required("outputs");
    require(outputs.is_array(), where, ": outputs must be a list");
    for (size_t i = 0; i < outputs.size(); ++i) {
        const JsonFields o(outputs[i], where + ": outputs[" + std::to_string(i) + "]");
        m.outputs.push_back({o.requiredString("option"), o.string("suffix", ""), o.requiredString("path"),
                             o.requiredString("sha256")});
    }
    return m;
}

void saveManifest(const std::string& path, const Manifest& manifest)
{
    writeFileAtomically(path, [&](std::ostream& out) { out << toJson(manifest).dump(2) << '\n'; });
}

Manifest loadManifest(const std::string& path)
{
    return manifestFromJson(readJsonFile(path), path);
}

std::string manifestPathFor(const std::string& output) { return output + ".manifest.json"; }

std::string checkpointDigest(const std::string& spec)
{
    const auto path = spec.substr(0, spec.find('?'));
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec))
        return sha256File(path);
    if (!std::filesystem::is_directory(path, ec))
        return "";
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path))
        if (entry.is_regular_file())
            files.push_back(std::filesystem::relative(entry.path(), path).generic_string());
    std::sort(files.begin(), files.end());
    Sha256 folder;
    for (const auto& f : files)
        folder.update(f + '\0' + sha256File((std::filesystem::path(path) / f).string()) + '\n');
    return folder.hexDigest();
}

std::string libtorchVersion()
{
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "."
           + std::to_string(TORCH_VERSION_PATCH);
}

} // namespace ds
