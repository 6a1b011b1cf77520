// diffscope-cli replay MANIFEST: reruns the command a manifest recorded (core/instruments/
// manifest.h) with its outputs redirected to a fresh folder, and reports whether every file
// came out bit-exact, or what differs: the checkpoint's SHA-256, the LibTorch version, the
// program, and each output (with the largest difference for .npy arrays).
#include "cli_common.h"
#include "commands.h"

#include "models/error.h"
#include "models/json_fields.h"
#include "core/instruments/manifest.h"
#include "core/io/sha256.h"
#include "core/io/npy.h"
#include "core/io/trajectory_io.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

namespace ds::cli {
namespace {

std::vector<std::string>& commandLineStore()
{
    static std::vector<std::string> line;
    return line;
}

struct ReplayArgs {
    std::string manifest;
    std::string keep; // folder for the replayed outputs (default: a temp folder, removed after)
    bool quiet = false;
};

// The recorded command line with each output option pointing into `folder`.
std::vector<std::string> redirected(const Manifest& m, const std::string& folder, std::map<std::string, std::string>& moved)
{
    int index = 0;
    for (const auto& o : m.outputs)
        if (o.suffix.empty() && !moved.count(o.option))
            moved[o.option] = (std::filesystem::path(folder)
                               / (std::to_string(index++) + "_" + std::filesystem::path(o.path).filename().string()))
                                  .string();
    auto argv = m.commandLine;
    for (size_t i = 1; i < argv.size(); ++i)
        for (const auto& [option, path] : moved) {
            if (argv[i] == option && i + 1 < argv.size())
                argv[++i] = path;
            else if (argv[i].rfind(option + "=", 0) == 0)
                argv[i] = option + "=" + path;
        }
    return argv;
}

// Runs this program with `argv` (argv[0] ignored) in `directory`; returns the exit status.
int runSelf(const std::vector<std::string>& argv, const std::string& directory)
{
    const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
    std::vector<char*> raw{const_cast<char*>(self.c_str())};
    for (size_t i = 1; i < argv.size(); ++i)
        raw.push_back(const_cast<char*>(argv[i].c_str()));
    raw.push_back(nullptr);
    const pid_t pid = fork();
    require(pid >= 0, "replay: cannot start a process");
    if (pid == 0) {
        if (!directory.empty() && chdir(directory.c_str()) != 0)
            _exit(127);
        execv(self.c_str(), raw.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string npyDifference(const std::string& recorded, const std::string& replayed)
{
    if (std::filesystem::path(recorded).extension() != ".npy" || !std::filesystem::exists(recorded))
        return "";
    try {
        auto a = loadNpy(recorded), b = loadNpy(replayed);
        if (a.sizes() != b.sizes())
            return ", shapes differ";
        std::ostringstream out;
        out << ", max |difference| " << (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
        return out.str();
    } catch (const std::exception&) {
        return "";
    }
}

// A recorded output that still appears on the command line (given positionally, say) would
// be overwritten by the replay: refuse rather than touch the original.
void requireRedirected(const Manifest& m, const std::vector<std::string>& argv, const std::string& manifest)
{
    for (const auto& o : m.outputs)
        for (size_t i = 1; i < argv.size(); ++i)
            require(!o.suffix.empty() || argv[i] != o.path, "replay: ", manifest, " names its output ", o.path,
                    " in a way replay cannot redirect (not after ", o.option, "); nothing was run");
}

// The data files the command read, by SHA-256 (settings.inputs, when recorded).
using Differ = std::function<void(const std::string&)>;

void checkInputs(const Manifest& m, const Differ& differ)
{
    if (!m.settings.contains("inputs") || !m.settings["inputs"].is_object())
        return;
    const auto cwd = std::filesystem::path(m.workingDirectory);
    for (const auto& [path, recorded] : m.settings["inputs"].items()) {
        const auto file = std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : cwd / path;
        const auto now = std::filesystem::exists(file) ? sha256File(file.string()) : std::string();
        if (!recorded.is_string() || now != recorded.get<std::string>())
            differ("input " + path + (now.empty() ? " is missing" : " has SHA-256 " + now) + ", the manifest recorded "
                   + (recorded.is_string() ? recorded.get<std::string>() : std::string("?")));
    }
}

// An export of the app: nothing to rerun, so the files are compared with what was recorded.
void checkRecordedFiles(const Manifest& m, const std::string& manifest, const std::vector<std::string>& differences,
                        const Differ& differ)
{
    for (const auto& o : m.outputs) {
        const auto now = std::filesystem::exists(o.path) ? sha256File(o.path) : std::string();
        if (now != o.sha256)
            differ(o.path + (now.empty() ? ": missing" : ": SHA-256 " + now + ", recorded " + o.sha256));
    }
    const auto exportName = JsonFields(m.settings, manifest + ": settings").string("export", "export");
    std::cout << manifest << " was written by the app (" << exportName
              << "); it records settings, not a command to rerun: " << m.settings.dump() << '\n';
    require(differences.empty(), "replay of ", manifest, ": ", differences.size(), " difference(s), listed above");
    std::cout << "unchanged: " << m.outputs.size() << " file(s) match " << manifest << '\n';
}

void runReplay(const ReplayArgs& args)
{
    const auto m = loadManifest(args.manifest);
    std::vector<std::string> differences;
    auto differ = [&](const std::string& what) {
        differences.push_back(what);
        std::cout << "differs: " << what << '\n';
    };
    const auto digest = checkpointDigest(m.checkpoint);
    if (digest != m.checkpointSha256)
        differ("checkpoint " + m.checkpoint + " has SHA-256 " + (digest.empty() ? "(none: not found)" : digest)
               + ", the manifest recorded " + m.checkpointSha256);
    if (m.libtorch != libtorchVersion())
        differ("LibTorch " + libtorchVersion() + ", the manifest recorded " + m.libtorch);
    const auto program = std::string("diffscope-cli ") + DIFFSCOPE_VERSION;
    if (m.program != program)
        differ("program " + program + ", the manifest recorded " + m.program);
    checkInputs(m, differ);
    if (m.command == kGuiExportCommand) {
        checkRecordedFiles(m, args.manifest, differences, differ);
        return;
    }

    const bool temporary = args.keep.empty();
    auto folder = temporary ? std::filesystem::temp_directory_path() / ("diffscope-replay-" + std::to_string(getpid()))
                            : std::filesystem::path(args.keep);
    std::filesystem::create_directories(folder);
    std::map<std::string, std::string> moved;
    const auto argv = redirected(m, folder.string(), moved);
    requireRedirected(m, argv, args.manifest);
    const int status = runSelf(argv, m.workingDirectory);
    if (status != 0) {
        if (temporary)
            std::filesystem::remove_all(folder);
        throw Error("replay: the recorded command failed again (exit " + std::to_string(status) + ")");
    }
    int identical = 0;
    for (const auto& o : m.outputs) {
        const auto& base = moved.at(o.option);
        const auto now = o.suffix.empty() ? base : companionPath(base, o.suffix);
        const auto hash = std::filesystem::exists(now) ? sha256File(now) : std::string();
        if (hash == o.sha256)
            ++identical;
        else
            differ(o.option + (o.suffix.empty() ? "" : " (" + o.suffix + ")") + " " + o.path
                   + (hash.empty() ? ": not written" : ": SHA-256 " + hash + ", recorded " + o.sha256
                                                           + npyDifference(o.path, now)));
    }
    if (temporary)
        std::filesystem::remove_all(folder);
    require(differences.empty(), "replay of ", args.manifest, " is not bit-exact: ", differences.size(),
            " difference(s), listed above");
    std::cout << "bit-exact: " << identical << " file(s) identical to " << args.manifest << '\n';
}

} // namespace

void rememberCommandLine(int argc, char** argv)
{
    commandLineStore().assign(argv, argv + argc);
}

const std::vector<std::string>& recordedCommandLine() { return commandLineStore(); }

void registerReplayCommand(CLI::App& app)
{
    auto args = std::make_shared<ReplayArgs>();
    auto* cmd = app.add_subcommand("replay", "rerun the command a .manifest.json recorded and report whether its "
                                             "outputs are bit-exact, or what differs");
    cmd->add_option("manifest", args->manifest, "FILE.manifest.json written beside an export")->required();
    cmd->add_option("--keep", args->keep, "write the replayed outputs to this folder and keep them");
    cmd->add_flag("--quiet", args->quiet, "no messages on stderr");
    cmd->callback([args] { runReplay(*args); });
}

} // namespace ds::cli
