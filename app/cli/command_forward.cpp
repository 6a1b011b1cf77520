// diffscope-cli forward: a forward (noising) trajectory of images, to .npy.
#include "cli_common.h"
#include "command_manifest.h"
#include "commands.h"

#include "core/forward_process.h"
#include "core/io/image_io.h"
#include "core/io/output_path.h"
#include "core/io/trajectory_io.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace ds::cli {
namespace {

struct ForwardArgs {
    ImageSourceArgs source;
    ScheduleArgs schedule;
    std::string mode = "markov";
    int64_t every = 1;
    uint64_t seed = 0;
    std::string out;
    std::string png;
    bool quiet = false;
    bool noManifest = false;
};

void runForward(const ForwardArgs& args)
{
    requireWritableOutput(args.out, "--out", {args.source.image});
    requireWritableOutput(companionPath(args.out, ".t"), "--out", {args.source.image});
    if (!args.png.empty())
        requireWritableOutput(args.png, "--png", {args.source.image});
    const auto spec = args.schedule.spec();
    // Pixel-aware diffusion works on data in [ε, 1] (seed 002); the others on [−1, 1].
    const DataRange range = spec.kind == ScheduleKind::PixelAware ? DataRange{spec.epsilon, 1.0} : DataRange{-1, 1};
    Schedule schedule(spec, range);
    auto x0 = args.source.load(range);
    ForwardOptions options;
    options.mode = forwardModeFromString(args.mode);
    options.every = args.every;
    NoiseSource noise(args.seed);
    auto trajectory = forwardTrajectory(schedule, x0, options, noise, [](int64_t) {
        return !interruptToken().stopRequested();
    });
    Outputs written;
    for (const auto& path : saveTrajectoryNpy(args.out, trajectory)) {
        note(args.quiet, "wrote " + path);
        written.push_back({"--out", path});
    }
    if (!args.png.empty()) {
        // One row per image, frames left to right (at most 12).
        auto strip = trajectory.subsampled(12).stackedFrames();    // [F, N, C, H, W]
        auto grid = strip.transpose(0, 1).reshape({-1, strip.size(2), strip.size(3), strip.size(4)});
        savePng(args.png, tileImages(grid, range, strip.size(0), 2));
        note(args.quiet, "wrote " + args.png);
        written.push_back({"--png", args.png});
    }
    note(args.quiet, std::to_string(trajectory.size()) + " frames of " + args.source.describe() + ", "
                         + std::string(name(options.mode)) + ", " + spec.describe());
    writeCommandManifest({"forward",
                          {{"schedule", spec.describe()}, {"mode", name(options.mode)}, {"seed", args.seed},
                           {"source", args.source.describe()}},
                          "", "cpu", written, {}},
                         args.noManifest, args.quiet);
}

} // namespace

void registerForwardCommand(CLI::App& app)
{
    auto args = std::make_shared<ForwardArgs>();
    auto* cmd = app.add_subcommand("forward", "noise images with a schedule and write the trajectory (.npy)");
    args->source.addTo(cmd);
    args->schedule.addTo(cmd);
    cmd->add_option("--mode", args->mode, "closed-form (independent marginals), markov (one chain) or shared-eps "
                                          "(DNM path)")->capture_default_str();
    cmd->add_option("--every", args->every, "keep every n-th frame (t = 0 and T always kept)")->capture_default_str();
    cmd->add_option("--seed", args->seed, "noise seed")->capture_default_str();
    cmd->add_option("--out", args->out, "trajectory .npy [F, N, C, H, W] (+ .t.npy with t per frame)")->required();
    cmd->add_option("--png", args->png, "also write a strip of up to 12 frames per image");
    cmd->add_flag("--quiet", args->quiet, "no messages on stderr");
    addManifestFlag(cmd, args->noManifest);
    cmd->callback([args] { runForward(*args); });
}

} // namespace ds::cli
