#pragma once
// The reproducibility manifest every writing command leaves beside its first output
// (core/instruments/manifest.h): the command line, the command's settings, the model's
// SHA-256, device, LibTorch, and the SHA-256 of each file written under the option that
// named it, so `diffscope-cli replay` can rerun it into another folder and compare.
#include <CLI/App.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ds::cli {

// (option, path) of each file written; companions (PATH.t.npy, PATH.x0.npy, PATH.x0.json)
// are listed under their base file's option and recognised by their suffix.
using Outputs = std::vector<std::pair<std::string, std::string>>;

struct ManifestRequest {
    std::string command;                                // "forward"
    nlohmann::json settings = nlohmann::json::object(); // what the command line alone does not say (resolved defaults)
    std::string checkpoint;                             // model spec; "" when the command reads no model
    std::string device = "cpu";
    Outputs outputs;                                    // the first is the one the manifest sits beside
    std::vector<std::string> inputs;                    // data files read: their SHA-256 go under settings.inputs
};

// --no-manifest on `cmd`.
void addManifestFlag(CLI::App* cmd, bool& disabled);
// Writes FIRST_OUTPUT.manifest.json (atomically) unless disabled or nothing was written.
void writeCommandManifest(const ManifestRequest& request, bool disabled, bool quiet);

} // namespace ds::cli
