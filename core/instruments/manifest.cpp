#include "manifest.h"

#include "core/error.h"
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
    return withContext(where + ": ", [&] {
        require(j.is_object() && j.value("format", "") == "diffscope-manifest", "not a diffscope manifest");
        require(j.value("version", 0) == 1, "unsupported manifest version ", j.value("version", 0));
        Manifest m;
        m.program = j.at("program").get<std::string>();
        m.commandLine = j.at("command_line").get<std::vector<std::string>>();
        m.workingDirectory = j.value("working_directory", "");
        m.command = j.at("command").get<std::string>();
        // The app's exports have no command line: replay checks their files instead.
        require(m.commandLine.size() >= 2 || m.command == kGuiExportCommand, "command_line has no command");
        m.settings = j.value("settings", nlohmann::json::object());
        m.checkpoint = j.at("checkpoint").at("spec").get<std::string>();
        m.checkpointSha256 = j.at("checkpoint").at("sha256").get<std::string>();
        m.device = j.at("device").get<std::string>();
        m.libtorch = j.at("libtorch").get<std::string>();
        for (const auto& o : j.at("outputs"))
            m.outputs.push_back({o.at("option").get<std::string>(), o.value("suffix", ""), o.at("path").get<std::string>(),
                                 o.at("sha256").get<std::string>()});
        return m;
    });
}

void saveManifest(const std::string& path, const Manifest& manifest)
{
    writeFileAtomically(path, [&](std::ostream& out) { out << toJson(manifest).dump(2) << '\n'; });
}

Manifest loadManifest(const std::string& path)
{
    std::ifstream in(path);
    require(bool(in), path, ": cannot be read");
    auto j = nlohmann::json::parse(in, nullptr, false);
    require(!j.is_discarded(), path, ": not valid JSON");
    return manifestFromJson(j, path);
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
