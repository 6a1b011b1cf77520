// diffscope-cli spectrum: radially averaged power spectra (core/instruments/radial_spectrum.h)
// of samples, of every frame of a trajectory (x_t and x̂0), and of a data set, to CSV / .npy.
#include "cli_common.h"
#include "command_manifest.h"
#include "commands.h"

#include "core/data/dataset.h"
#include "models/error.h"
#include "core/instruments/radial_spectrum.h"
#include "core/io/csv.h"
#include "core/io/npy.h"
#include "core/io/output_path.h"
#include "core/io/trajectory_io.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <filesystem>

namespace ds::cli {
namespace {

struct SpectrumArgs {
    std::string images;
    std::string trajectory;
    std::string dataset;
    int64_t count = 1000;
    double dataLo = -1, dataHi = 1;
    std::string csv;
    std::string npy;
    bool quiet = false;
    bool noManifest = false;
};

at::Tensor loadFloat(const std::string& path, int64_t dims, const std::string& shape)
{
    auto t = loadNpy(path);
    require(at::isFloatingType(t.scalar_type()) && t.dim() == dims, path, ": expected a float array ", shape);
    return t.to(at::kDouble);
}

at::Tensor dataSpectrum(const SpectrumArgs& args)
{
    require(args.count >= 1, "--count must be >= 1");
    DatasetOptions options;
    options.limit = args.count;
    options.range = {args.dataLo, args.dataHi};
    auto data = loadDataset(args.dataset, options);
    require(data.images.dim() == 4, "data set '", args.dataset, "' holds points, not images: no spectrum");
    return meanRadialSpectrum(data.images);
}

// Rows (radius, count, power) for one spectrum.
void writeSingle(const SpectrumArgs& args, const at::Tensor& power, const at::Tensor& counts)
{
    const int64_t bins = power.size(0);
    auto table = at::stack({at::arange(bins, at::kDouble), counts.to(at::kDouble), power}, 1);
    saveCsv(args.csv, {"radius", "count", "power"}, table);
    if (!args.npy.empty())
        saveNpy(args.npy, power);
}

// Long table (t, radius, count, xt, x0[, data]): one row per frame and radius bin.
void writeTrajectory(const SpectrumArgs& args, const at::Tensor& data)
{
    auto frames = loadFloat(args.trajectory, 5, "[F, N, C, H, W]");
    const auto tPath = companionPath(args.trajectory, ".t"), x0Path = companionPath(args.trajectory, ".x0");
    auto ts = loadNpy(tPath).to(at::kDouble).reshape({-1});
    require(ts.size(0) == frames.size(0), tPath, ": ", ts.size(0), " t values for ", frames.size(0), " frames");
    auto xt = frameSpectra(frames);
    const int64_t F = xt.size(0), R = xt.size(1);
    at::Tensor x0 = at::full({F, R}, NAN, at::kDouble);
    if (std::filesystem::exists(x0Path)) {
        auto predicted = loadFloat(x0Path, 5, "[F, N, C, H, W]");
        require(predicted.sizes() == frames.sizes(), x0Path, ": x̂0 frames do not match the trajectory's shape");
        x0 = frameSpectra(predicted);
    }
    const auto counts = radialPowerSpectrum(frames[0].narrow(0, 0, 1)).counts.to(at::kDouble);
    std::vector<at::Tensor> columns{ts.unsqueeze(1).expand({F, R}), at::arange(R, at::kDouble).expand({F, R}),
                                    counts.expand({F, R}), xt, x0};
    std::vector<std::string> names{"t", "radius", "count", "xt", "x0"};
    if (data.defined()) {
        require(data.size(0) == R, "--dataset images have another size than the trajectory's frames");
        columns.push_back(data.expand({F, R}));
        names.push_back("data");
    }
    for (auto& c : columns)
        c = c.reshape({-1});
    saveCsv(args.csv, names, at::stack(columns, 1));
    if (!args.npy.empty()) {
        saveNpy(args.npy, xt);
        saveNpy(companionPath(args.npy, ".x0"), x0);
    }
}

void runSpectrum(const SpectrumArgs& args)
{
    const int given = int(!args.images.empty()) + int(!args.trajectory.empty());
    require(given <= 1, "give --images or --trajectory, not both");
    require(given == 1 || !args.dataset.empty(), "give --images FILE.npy, --trajectory FILE.npy or --dataset NAME");
    const std::vector<std::string> inputs{args.images, args.trajectory};
    requireWritableOutput(args.csv, "--csv", inputs);
    if (!args.npy.empty())
        requireWritableOutput(args.npy, "--npy", inputs);
    const auto data = args.dataset.empty() ? at::Tensor() : dataSpectrum(args);
    if (!args.trajectory.empty()) {
        writeTrajectory(args, data);
    } else if (!args.images.empty()) {
        auto images = loadFloat(args.images, 4, "[N, C, H, W]");
        writeSingle(args, meanRadialSpectrum(images), radialPowerSpectrum(images.narrow(0, 0, 1)).counts);
    } else {
        DatasetOptions options;
        options.limit = 1;
        options.range = {args.dataLo, args.dataHi};
        writeSingle(args, data, radialPowerSpectrum(loadDataset(args.dataset, options).images).counts);
    }
    note(args.quiet, "wrote " + args.csv + (args.npy.empty() ? "" : " and " + args.npy));
    Outputs written{{"--csv", args.csv}};
    if (!args.npy.empty())
        written.push_back({"--npy", args.npy});
    if (!args.npy.empty() && !args.trajectory.empty())
        written.push_back({"--npy", companionPath(args.npy, ".x0")});
    std::vector<std::string> read{args.images, args.trajectory};
    if (!args.trajectory.empty())
        for (const char* suffix : {".t", ".x0"})
            if (std::filesystem::exists(companionPath(args.trajectory, suffix)))
                read.push_back(companionPath(args.trajectory, suffix));
    writeCommandManifest({"spectrum",
                          {{"dataset", args.dataset}, {"count", args.count}, {"data_range", {args.dataLo, args.dataHi}}},
                          "", "cpu", written, read},
                         args.noManifest, args.quiet);
}

} // namespace

void registerSpectrumCommand(CLI::App& app)
{
    auto args = std::make_shared<SpectrumArgs>();
    auto* cmd = app.add_subcommand("spectrum", "radially averaged power spectra of samples, trajectories (x_t and "
                                               "x̂0 per step) or a data set, to CSV");
    cmd->add_option("--images", args->images, "samples .npy [N, C, H, W]: their mean spectrum");
    cmd->add_option("--trajectory", args->trajectory, "trajectory .npy [F, N, C, H, W] from `sample --trajectory` "
                                                      "(with .t.npy, and .x0.npy if present)");
    cmd->add_option("--dataset", args->dataset, "data set whose mean spectrum to write (or add as column `data`)");
    cmd->add_option("--count", args->count, "items of --dataset to average")->capture_default_str();
    cmd->add_option("--data-lo", args->dataLo, "--dataset pixels map to [lo, hi]")->capture_default_str();
    cmd->add_option("--data-hi", args->dataHi, "--dataset pixels map to [lo, hi]")->capture_default_str();
    cmd->add_option("--csv", args->csv, "table: radius, count, power (trajectories: t, radius, count, xt, x0[, data])")
        ->required();
    cmd->add_option("--npy", args->npy, "also the spectra as float64 .npy ([R], or [F, R] + .x0.npy)");
    cmd->add_flag("--quiet", args->quiet, "no messages on stderr");
    addManifestFlag(cmd, args->noManifest);
    cmd->callback([args] { runSpectrum(*args); });
}

} // namespace ds::cli
