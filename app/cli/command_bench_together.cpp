#include "command_bench_together.h"

#include "cli_common.h"

#include "core/denoisers/batched_calls.h"
#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/samplers/sampler_registry.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>

namespace ds::cli {
namespace {

struct PaneResult {
    at::Tensor x;
    int64_t passes = 0;
    double seconds = 0;
};

// One pane as the comparison runs it: x_T is the seed's first draw, the same in every pane.
PaneResult runPane(Denoiser& denoiser, const std::pair<std::string, int64_t>& pane, const BenchTogetherArgs& args)
{
    auto sampler = makeSampler(pane.first);
    auto options = defaultOptions(pane.first);
    options.steps = pane.second;
    NoiseSource noise(args.seed, denoiser.device());
    const auto xT = initialNoise(denoiser, args.n, noise);
    auto run = runSampler(*sampler, denoiser, xT, options, noise, {}, &interruptToken());
    require(!run.cancelled, "interrupted");
    return {run.x, run.usage.passes, run.seconds};
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

void runBenchTogether(const BenchTogetherArgs& args)
{
    require(args.panes.size() >= 2, "--together needs at least two --runs (the panes)");
    require(args.repeat >= 1, "--repeat must be >= 1");
    std::shared_ptr<Denoiser> denoiser =
        openDenoiser(withSchedulerConfig(args.checkpoint, args.schedulerConfig), parseDevice(args.device));
    for (const auto& p : args.panes)
        requireCompatible(*makeSampler(p.first), *denoiser);
    std::cout << "model: " << args.checkpoint << ", " << args.panes.size() << " panes of " << args.n
              << " samples, device " << args.device << ", " << at::get_num_threads() << " threads, best of "
              << args.repeat << "\n\n";

    std::vector<PaneResult> alone(args.panes.size());
    double aloneSeconds = 0;
    for (size_t i = 0; i < args.panes.size(); ++i) {
        for (int r = 0; r < args.repeat; ++r) {
            auto result = runPane(*denoiser, args.panes[i], args);
            if (r == 0 || result.seconds < alone[i].seconds)
                alone[i] = result;
        }
        aloneSeconds += alone[i].seconds;
    }

    std::vector<PaneResult> together(args.panes.size());
    double togetherSeconds = 0;
    BatchedCallStats stats;
    for (int r = 0; r < args.repeat; ++r) {
        BatchedCalls calls(denoiser);
        std::vector<std::function<void(Denoiser&)>> runs;
        std::vector<PaneResult> results(args.panes.size());
        for (size_t i = 0; i < args.panes.size(); ++i)
            runs.push_back([&, i](Denoiser& member) { results[i] = runPane(member, args.panes[i], args); });
        const auto start = std::chrono::steady_clock::now();
        calls.runTogether(runs);
        const double seconds = secondsSince(start);
        if (r == 0 || seconds < togetherSeconds) {
            togetherSeconds = seconds;
            together = results;
            stats = calls.stats();
        }
    }

    std::cout << "| pane | network passes | alone s | max |alone - together| |\n|---|---:|---:|---:|\n";
    for (size_t i = 0; i < args.panes.size(); ++i)
        std::cout << "| " << args.panes[i].first << ":" << args.panes[i].second << " | " << alone[i].passes << " | "
                  << std::fixed << std::setprecision(3) << alone[i].seconds << " | " << std::scientific
                  << std::setprecision(1) << (alone[i].x - together[i].x).abs().max().item<double>() << " |\n"
                  << std::defaultfloat;
    std::cout << "\none after another: " << std::fixed << std::setprecision(3) << aloneSeconds << " s; together: "
              << togetherSeconds << " s (" << std::setprecision(2) << aloneSeconds / togetherSeconds << "x), "
              << stats.calls << " network calls for " << stats.requests << " pane calls, largest " << stats.largestRows
              << " rows\n";
}

} // namespace ds::cli
