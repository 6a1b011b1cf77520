// diffscope-cli sample: run a sampler on a model or oracle; samples and trajectory to .npy.
#include "cli_common.h"
#include "commands.h"
#include "finite_check.h"
#include "progress_bar.h"
#include "sample_instruments.h"

#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/io/image_io.h"
#include "core/io/npy.h"
#include "core/io/output_path.h"
#include "core/export/trajectory_arrays.h"
#include "core/io/trajectory_io.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/start_state.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace ds::cli {
namespace {

struct SampleArgs {
    std::string checkpoint;
    std::string schedulerConfig;
    SamplerArgs sampler;
    int64_t n = 16;
    uint64_t seed = 0;
    std::string init;
    std::string start = "noise";
    std::string startDataset; // default: the model's held-out split
    int64_t startIndex = 0;
    std::string out;
    std::string trajectory;
    int64_t trajectoryFrames = 0;
    std::string png;
    std::string device = "cpu";
    bool quiet = false;
    SampleInstrumentArgs instruments; // issue 13: fork, Picard record, manifest (sample_instruments.h)
};

// x_T: from --init (float [N, C, H, W] or [C, H, W]), a forward-diffused data item (--start
// data), or the first draw of the seeded stream.
at::Tensor startingNoise(const SampleArgs& args, const Denoiser& denoiser, Sampler& sampler, NoiseSource& noise)
{
    if (args.start == "data") {
        sampler.begin(denoiser.schedule(), args.sampler.options(&denoiser.info())); // to know its first index
        const auto dataset = args.startDataset.empty() ? startDataset(denoiser.info()) : args.startDataset;
        return forwardDiffusedStart(denoiser, sampler, dataset, args.startIndex, args.n, noise);
    }
    require(args.start == "noise", "--start must be noise or data");
    if (args.init.empty())
        return initialNoise(denoiser, args.n, noise);
    auto x = loadNpy(args.init);
    require(at::isFloatingType(x.scalar_type()), args.init + ": x_T must be a float array");
    if (x.dim() == 3)
        x = x.unsqueeze(0);
    const auto& s = denoiser.info().shape;
    require(x.dim() == 4 && x.size(1) == s[0] && x.size(2) == s[1] && x.size(3) == s[2],
            args.init + ": x_T must be [N, " + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ", "
                + std::to_string(s[2]) + "] for this model");
    return x.to(at::kFloat);
}

std::string summary(const std::string& sampler, const SampleRun& run, int64_t n)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(3) << sampler << ": " << run.completedSteps << " steps, " << n
        << " samples, " << run.usage.passes << " network passes in " << run.rounds << " sequential rounds, "
        << run.seconds << " s (network " << run.usage.seconds << " s)";
    return out.str();
}

// Every file this run would write, checked before any sampling.
void checkOutputs(const SampleArgs& args)
{
    const std::vector<std::string> inputs{args.checkpoint, args.init};
    if (!args.out.empty())
        requireWritableOutput(args.out, "--out", inputs);
    if (!args.png.empty())
        requireWritableOutput(args.png, "--png", inputs);
    if (!args.trajectory.empty())
        for (const auto& suffix : {"", ".t", ".x0"})
            requireWritableOutput(*suffix ? companionPath(args.trajectory, suffix) : args.trajectory, "--trajectory", inputs);
    args.instruments.checkOutputs(inputs);
}

// --- instruments (issue 13): the fork's and Picard record's files, then the manifest of
// everything written (sample_instruments.h) ---
void writeInstrumentOutputs(const SampleArgs& args, SampleInstruments& instruments, const Sampler& sampler,
                            const SamplerOptions& options)
{
    Outputs outputs;
    if (!args.out.empty())
        outputs.push_back({"--out", args.out});
    if (!args.png.empty())
        outputs.push_back({"--png", args.png});
    if (!args.trajectory.empty())
        for (const auto& suffix : {"", ".t", ".x0"})
            if (const auto path = *suffix ? companionPath(args.trajectory, suffix) : args.trajectory;
                std::filesystem::exists(path))
                outputs.push_back({"--trajectory", path});
    for (const auto& written : instruments.finish(sampler, args.quiet))
        outputs.push_back(written);
    const auto start = args.start == "data" ? "data " + args.startDataset + "[" + std::to_string(args.startIndex) + "]"
                       : args.init.empty()  ? std::string("noise")
                                            : "init " + args.init;
    writeSampleManifest(args.instruments,
                        {args.out.empty() ? args.png : args.out, withSchedulerConfig(args.checkpoint, args.schedulerConfig),
                         std::string(sampler.name()), options, sampler.grid(), args.seed, start, args.device, outputs},
                        args.quiet);
}
// --- end of instruments ---

void runSample(const SampleArgs& args)
{
    require(!args.out.empty() || !args.png.empty(), "give --out samples.npy (and/or --png grid.png)");
    checkOutputs(args);
    auto device = parseDevice(args.device);
    auto denoiser = openDenoiser(withSchedulerConfig(args.checkpoint, args.schedulerConfig), device);
    const auto samplerName = args.sampler.samplerName(&denoiser->info());
    auto sampler = makeSampler(samplerName);
    const auto options = args.sampler.options(&denoiser->info());
    if (const auto fromModel = args.sampler.fromModel(&denoiser->info()); !fromModel.empty())
        note(args.quiet, samplerName + " with the model's own settings: " + fromModel);
    NoiseSource noise(args.seed, device);
    auto xT = startingNoise(args, *denoiser, *sampler, noise);
    SampleInstruments instruments(args.instruments, *denoiser, samplerName, options, args.seed, xT, noise);

    Trajectory trajectory(Trajectory::Storage::Float32);
    const bool record = !args.trajectory.empty();
    if (record)
        trajectory.append(denoiser->schedule().steps(), xT);
    ProgressBar bar("sampling", options.steps, !args.quiet);
    auto observer = [&](const StepEvent& e) {
        if (record)
            trajectory.appendAfterStep(e.t, e.x, e.x0);
        bar.update(e.step);
        instruments.onStep(e);
        return true;
    };
    auto run = runSampler(*sampler, *denoiser, xT, options, noise, observer, &interruptToken(), instruments.rounds());
    bar.finish();
    require(!run.cancelled, "interrupted after " + std::to_string(run.completedSteps) + " of "
                                + std::to_string(options.steps) + " steps; nothing written");
    auto samples = run.x.to(at::kCPU);
    requireFiniteSamples(samples, "the " + std::to_string(samples.size(0)) + " samples");
    if (!args.out.empty()) {
        saveNpy(args.out, samples);
        note(args.quiet, "wrote " + args.out);
    }
    if (record) {
        auto kept = args.trajectoryFrames > 0 ? trajectory.subsampled(args.trajectoryFrames) : trajectory;
        for (const auto& path : saveTrajectoryArrays(args.trajectory, kept))
            note(args.quiet, "wrote " + path);
    }
    if (!args.png.empty()) {
        savePng(args.png, tileImages(samples, denoiser->info().range, 0, 2));
        note(args.quiet, "wrote " + args.png);
    }
    note(args.quiet, summary(samplerName, run, samples.size(0)));
    writeInstrumentOutputs(args, instruments, *sampler, options);
}

} // namespace

void registerSampleCommand(CLI::App& app)
{
    auto args = std::make_shared<SampleArgs>();
    auto* cmd = app.add_subcommand("sample", "draw samples with a sampler; write .npy (and PNG)");
    cmd->add_option("--checkpoint", args->checkpoint, "a .pt or .dsckpt file, a diffusers folder or oracle:<data set>[?n=…]")
        ->required();
    addSchedulerConfigOption(cmd, args->schedulerConfig);
    args->sampler.addTo(cmd);
    cmd->add_option("--n", args->n, "number of samples")->capture_default_str();
    cmd->add_option("--seed", args->seed, "seed of the noise stream (x_T first, then per step)")->capture_default_str();
    cmd->add_option("--init", args->init, "x_T from a .npy [N, C, H, W] instead of the seeded draw");
    cmd->add_option("--start", args->start, "noise: x_T ~ N(0, I); data: a real image forward-diffused to the first "
                                            "step (seed 002's set-up)")->capture_default_str();
    cmd->add_option("--start-dataset", args->startDataset, "data set of --start data (default: the model's test split)");
    cmd->add_option("--start-index", args->startIndex, "first item of --start data")->capture_default_str();
    cmd->add_option("--out", args->out, "samples .npy, float32 [N, C, H, W] in the model's data range");
    cmd->add_option("--trajectory", args->trajectory, "trajectory .npy [F, N, C, H, W] (+ .t.npy, .x0.npy)");
    cmd->add_option("--trajectory-frames", args->trajectoryFrames, "keep at most this many frames (0: all)");
    cmd->add_option("--png", args->png, "grid of the samples as PNG");
    cmd->add_option("--device", args->device, "cpu or cuda")->capture_default_str();
    cmd->add_flag("--quiet", args->quiet, "no progress bar or messages");
    args->instruments.addTo(cmd); // issue 13: --fork-*, --picard-*, --no-manifest
    cmd->callback([args] { runSample(*args); });
}

} // namespace ds::cli
