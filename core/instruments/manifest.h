#pragma once
// Reproducibility manifests: FILE.manifest.json beside an export says how it was made (program
// version, command line, sampler options, grid, seed and the RNG order, the checkpoint's
// SHA-256, device, LibTorch version) and the SHA-256 of every file it wrote, so `diffscope-cli
// replay` can run it again and say whether the result is bit-exact or what differs.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ds {

// The noise contract of docs/ARCHITECTURE.md, in one line for manifests.
extern const char* const kRngOrderNote;
// The command of a manifest the app wrote beside an export (no command line to rerun).
inline constexpr const char* kGuiExportCommand = "gui-export";

struct ManifestOutput {
    std::string option; // the command-line option that named it ("--out"); replay redirects it
    std::string suffix; // companion files: the suffix added to that option's path (".t"), else ""
    std::string path;
    std::string sha256;
};

struct Manifest {
    std::string program;                  // "diffscope-cli 0.1.0"
    std::vector<std::string> commandLine; // argv as run, argv[0] included
    std::string workingDirectory;
    std::string command;                  // "sample"
    nlohmann::json settings = nlohmann::json::object(); // sampler, options, grid, seed, start, rng order …
    std::string checkpoint;
    std::string checkpointSha256;         // "" for oracle specs (nothing on disk)
    std::string device;
    std::string libtorch;
    std::vector<ManifestOutput> outputs;
};

nlohmann::json toJson(const Manifest& manifest);
// Throws ds::Error naming `where` and the missing or malformed field.
Manifest manifestFromJson(const nlohmann::json& j, const std::string& where);
void saveManifest(const std::string& path, const Manifest& manifest);
Manifest loadManifest(const std::string& path);

// "out.npy" → "out.npy.manifest.json".
std::string manifestPathFor(const std::string& output);
// SHA-256 of a model file; of a folder, the hash of its files' relative paths and hashes in
// order; "" for a spec with nothing on disk (oracle:…). A "?…" query is not part of the path.
std::string checkpointDigest(const std::string& spec);
// "1.13.0": the LibTorch this program was built against.
std::string libtorchVersion();

} // namespace ds
