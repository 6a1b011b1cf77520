// diffscope-cli bench: wall time per sampler and its overhead over the network calls.
// Overhead = (run wall time − time inside the network calls) / network time, measured in the
// same run, so both sides see the same inputs.
#include "cli_common.h"
#include "command_bench_scaling.h"
#include "command_bench_together.h"
#include "commands.h"

#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/io/atomic_file.h"
#include "core/samplers/sampler_registry.h"
#include "core/training/training_benchmark.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <tuple>

namespace ds::cli {
namespace {

struct BenchArgs {
    std::string checkpoint = "oracle:fashion-mnist?n=2000";
    std::string schedulerConfig;
    std::vector<std::string> runs{"ddpm:1000", "ddim:10", "ddim:50", "ddim:100", "dpmpp-2m:10", "dpmpp-2m:20",
                                  "euler-sde:100", "pf-ode-heun:25"};
    int64_t n = 16;
    uint64_t seed = 0;
    int repeat = 1;
    std::string device = "cpu";
    std::string json;
    bool together = false;
};

struct BenchRow {
    std::string sampler;
    int64_t steps = 0;
    int64_t passes = 0;
    double seconds = 0;        // best of `repeat`
    double networkSeconds = 0; // of the same run
};

std::pair<std::string, int64_t> parseRun(const std::string& text)
{
    const auto colon = text.find(':');
    require(colon != std::string::npos, "--runs: expected sampler:steps, got '" + text + "'");
    try {
        return {text.substr(0, colon), std::stoll(text.substr(colon + 1))};
    } catch (const std::exception&) {
        throw Error("--runs: bad step count in '" + text + "'");
    }
}

BenchRow benchOne(Denoiser& denoiser, const std::string& spec, const BenchArgs& args)
{
    auto [samplerName, steps] = parseRun(spec);
    auto sampler = makeSampler(samplerName);
    auto options = defaultOptions(samplerName);
    options.steps = steps;
    BenchRow best{samplerName, steps};
    for (int r = 0; r < args.repeat; ++r) {
        NoiseSource noise(args.seed, denoiser.device());
        auto xT = initialNoise(denoiser, args.n, noise);
        auto run = runSampler(*sampler, denoiser, xT, options, noise, {}, &interruptToken());
        require(!run.cancelled, "interrupted");
        if (r == 0 || run.seconds < best.seconds)
            best = {samplerName, steps, run.usage.passes, run.seconds, run.usage.seconds};
    }
    return best;
}

void printTable(const std::vector<BenchRow>& rows)
{
    std::cout << "| sampler | steps | network passes | wall s | network s | overhead |\n"
              << "|---|---:|---:|---:|---:|---:|\n";
    for (const auto& r : rows) {
        const double overhead = r.networkSeconds > 0 ? (r.seconds - r.networkSeconds) / r.networkSeconds : 0;
        std::cout << std::fixed << "| " << r.sampler << " | " << r.steps << " | " << r.passes << " | "
                  << std::setprecision(3) << r.seconds << " | " << r.networkSeconds << " | " << std::setprecision(1)
                  << 100.0 * overhead << "% |\n";
    }
}

void runBench(const BenchArgs& args)
{
    require(args.repeat >= 1, "--repeat must be >= 1");
    if (args.together) {
        BenchTogetherArgs together{args.checkpoint, args.schedulerConfig, args.device, {}, args.n, args.seed, args.repeat};
        for (const auto& spec : args.runs)
            together.panes.push_back(parseRun(spec));
        runBenchTogether(together);
        return;
    }
    auto denoiser = openDenoiser(withSchedulerConfig(args.checkpoint, args.schedulerConfig), parseDevice(args.device));
    std::cout << "model: " << args.checkpoint << ", batch " << args.n << ", device " << args.device << ", "
              << at::get_num_threads() << " threads, best of " << args.repeat << "\n\n";
    std::vector<BenchRow> rows;
    for (const auto& spec : args.runs) {
        rows.push_back(benchOne(*denoiser, spec, args));
        std::cerr << "  " << spec << ": " << rows.back().seconds << " s\n";
    }
    printTable(rows);
    if (args.json.empty())
        return;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows)
        out.push_back({{"sampler", r.sampler}, {"steps", r.steps}, {"passes", r.passes}, {"seconds", r.seconds},
                       {"network_seconds", r.networkSeconds}});
    writeFileAtomically(args.json, [&](std::ostream& file) { file << out.dump(2) << '\n'; });
}


void runTrainingBench(const std::string& preset, int64_t steps, int64_t batch, const std::string& device, int rounds)
{
    auto config = presetTrainingConfig(preset);
    if (batch > 0)
        config.batch = batch;
    config.device = device;
    auto t = measureTrainingThroughput(config, steps, 3, rounds);
    std::cout << "training '" << preset << "' (" << t.parameters << " parameters, " << std::setprecision(3)
              << t.flopsPerSample / 1e6 << " MFLOP per forward pass), batch " << config.batch << ", device " << device
              << ", " << at::get_num_threads() << " threads, " << rounds << " alternating rounds of " << steps
              << " timed steps each (medians of every step)\n\n"
              << "| path | ms per step | images/s |\n|---|---:|---:|\n"
              << std::fixed << std::setprecision(1) << "| engine (TrainingJob) | " << 1e3 * t.engineStepSeconds << " | "
              << t.engineImagesPerSecond << " |\n"
              << "| raw forward + backward + AdamW | " << 1e3 * t.rawStepSeconds << " | " << t.rawImagesPerSecond << " |\n"
              << std::setprecision(2) << "| of which the engine adds: clipping | " << 1e3 * t.clipSeconds << " | |\n"
              << "| of which the engine adds: EMA | " << 1e3 * t.emaSeconds << " | |\n"
              << std::setprecision(1) << "\nengine overhead: " << 100.0 * t.overhead() << "% per step\n";
}

} // namespace

void registerBenchCommand(CLI::App& app)
{
    auto args = std::make_shared<BenchArgs>();
    auto* cmd = app.add_subcommand("bench", "time samplers and their overhead over the raw network calls");
    cmd->add_option("--checkpoint", args->checkpoint, "model to sample")->capture_default_str();
    addSchedulerConfigOption(cmd, args->schedulerConfig);
    cmd->add_option("--runs", args->runs, "sampler:steps list")->delimiter(',')->capture_default_str();
    cmd->add_option("--n", args->n, "batch size")->capture_default_str();
    cmd->add_option("--seed", args->seed, "seed")->capture_default_str();
    cmd->add_option("--repeat", args->repeat, "repeat each run, keep the fastest")->capture_default_str();
    cmd->add_option("--device", args->device, "cpu or cuda")->capture_default_str();
    cmd->add_option("--json", args->json, "also write the rows as JSON");
    cmd->add_flag("--together", args->together,
                  "run the --runs as comparison panes: one after another, then with one network call for all panes "
                  "due (wall times side by side)");
    auto table = addBenchTableOptions(cmd);
    auto diffusers = addBenchDiffusersOptions(cmd, args->seed, args->json);
    auto scaling = addBenchScalingOptions(cmd, {args->checkpoint, args->schedulerConfig, args->device});
    cmd->callback([args, table, diffusers, scaling] {
        if (!table() && !diffusers() && !scaling())
            runBench(*args);
    });

    auto train = std::make_shared<std::tuple<std::string, int64_t, int64_t, std::string, int>>("fashion-mnist-ddpm", 20, 0,
                                                                                           "cpu", 3);
    auto* tcmd = app.add_subcommand("bench-train", "training throughput of the engine beside the raw network cost");
    tcmd->add_option("--preset", std::get<0>(*train), "training preset")->capture_default_str();
    tcmd->add_option("--steps", std::get<1>(*train), "timed steps (after 3 warm-up steps)")->capture_default_str();
    tcmd->add_option("--batch", std::get<2>(*train), "batch size (default: the preset's)");
    tcmd->add_option("--device", std::get<3>(*train), "cpu or cuda")->capture_default_str();
    tcmd->add_option("--rounds", std::get<4>(*train), "alternating engine/raw rounds")->capture_default_str();
    tcmd->callback([train] {
        runTrainingBench(std::get<0>(*train), std::get<1>(*train), std::get<2>(*train), std::get<3>(*train),
                         std::get<4>(*train));
    });
}

} // namespace ds::cli
