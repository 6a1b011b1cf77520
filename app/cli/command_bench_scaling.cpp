// diffscope-cli bench --scaling: the batch-scaling curve of one model — wall time of one network
// call (Denoiser::operator(), the path every sampler takes) at batch 1, 2, 4, …, --max-batch,
// median of --scaling-passes calls after two warm-up calls, and the time per sample — then the
// Picard window that core/samplers/picard_tuning.h chooses from it.
#include "command_bench_scaling.h"

#include "cli_common.h"

#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/io/atomic_file.h"
#include "core/samplers/picard_tuning.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <vector>

namespace ds::cli {
namespace {

struct ScalingArgs {
    bool enabled = false;
    int64_t maxBatch = 64;
    int passes = 5;
    std::string csv;
    int64_t picardSamples = 4;
    int64_t picardSteps = 100;
    double picardSlide = 4;
};

// Median wall time of `passes` calls after two warm-up calls, on seeded inputs with one
// schedule index per row (as a Picard window has).
double medianCallSeconds(Denoiser& denoiser, int64_t batch, int passes)
{
    const auto& s = denoiser.info().shape;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(uint64_t(batch));
    const auto x = at::randn({batch, s[0], s[1], s[2]}, generator);
    const auto k = at::randint(0, denoiser.schedule().steps(), {batch}, generator, at::kLong);
    std::vector<double> times;
    for (int i = 0; i < passes + 2; ++i) {
        require(!interruptToken().stopRequested(), "interrupted");
        const auto start = std::chrono::steady_clock::now();
        denoiser(x, k);
        if (i >= 2)
            times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

BatchScalingCurve measureCurve(Denoiser& denoiser, const ScalingArgs& a)
{
    BatchScalingCurve curve;
    std::cout << "| batch | ms per call | ms per sample | per-sample speed-up vs batch 1 |\n|---:|---:|---:|---:|\n";
    for (int64_t b = 1; b <= a.maxBatch; b *= 2) {
        curve[b] = medianCallSeconds(denoiser, b, a.passes);
        const double perSample = curve[b] / double(b);
        std::cout << std::fixed << "| " << b << " | " << std::setprecision(2) << 1e3 * curve[b] << " | "
                  << std::setprecision(3) << 1e3 * perSample << " | " << std::setprecision(2)
                  << curve.begin()->second / perSample << "x |" << std::endl;
    }
    return curve;
}

void writeCurveCsv(const std::string& path, const BatchScalingCurve& curve)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "batch,seconds_per_call,seconds_per_sample\n" << std::setprecision(9);
        for (const auto& [b, s] : curve)
            out << b << ',' << s << ',' << s / double(b) << '\n';
    });
}

void printPicardChoice(const BatchScalingCurve& curve, const ScalingArgs& a)
{
    PicardTuningInput in{curve, a.picardSamples, a.picardSteps, a.picardSlide, at::get_num_threads()};
    std::cout << "\nPicard, " << a.picardSamples << " samples, " << a.picardSteps << " steps, expected slide rho = "
              << a.picardSlide << " steps/round, " << in.cores << " threads: r(W) = c(W*N) / (min(W, rho) * c(N))\n\n"
              << "| window W | rows per call | r(W): Picard time / sequential |\n|---:|---:|---:|\n";
    for (const auto& c : picardCandidates(in))
        std::cout << "| " << c.window << " | " << c.rowsPerCall << " | " << std::setprecision(2) << c.relativeTime << " |\n";
    const auto best = choosePicardWindow(in);
    if (best.parallelWins)
        std::cout << "\nchosen: --window " << best.window << " (predicted " << std::setprecision(2)
                  << 1.0 / best.relativeTime << "x faster than the sequential sampler)\n";
    else
        std::cout << "\nchosen: the sequential sampler (no window beats it on this machine: the per-row cost of a "
                     "batched call does not fall enough)\n";
}

void runScaling(const ScalingArgs& a, const BenchModelArgs& model)
{
    require(a.maxBatch >= 1, "--max-batch must be >= 1");
    require(a.passes >= 1, "--scaling-passes must be >= 1");
    require(a.picardSamples >= 1 && a.picardSteps >= 1, "--picard-samples and --picard-steps must be >= 1");
    require(a.picardSlide >= 1, "--picard-slide: the expected slide must be >= 1 step per round");
    auto denoiser = openDenoiser(withSchedulerConfig(model.checkpoint, model.schedulerConfig), parseDevice(model.device));
    std::cout << "model: " << model.checkpoint << ", device " << model.device << ", " << at::get_num_threads()
              << " threads, median of " << a.passes << " calls per batch\n\n";
    const auto curve = measureCurve(*denoiser, a);
    if (!a.csv.empty())
        writeCurveCsv(a.csv, curve);
    printPicardChoice(curve, a);
}

} // namespace

std::function<bool()> addBenchScalingOptions(CLI::App* bench, BenchModelArgs model)
{
    auto a = std::make_shared<ScalingArgs>();
    bench->add_flag("--scaling", a->enabled,
                    "time one network call of --checkpoint against batch size (1, 2, 4, … --max-batch) and choose "
                    "Picard's window from that curve");
    bench->add_option("--max-batch", a->maxBatch, "with --scaling: the largest batch")->capture_default_str();
    bench->add_option("--scaling-passes", a->passes, "with --scaling: timed calls per batch (median)")->capture_default_str();
    bench->add_option("--scaling-csv", a->csv, "with --scaling: also write batch,seconds_per_call,seconds_per_sample");
    bench->add_option("--picard-samples", a->picardSamples, "with --scaling: N, samples per state")->capture_default_str();
    bench->add_option("--picard-steps", a->picardSteps, "with --scaling: the sampler's steps")->capture_default_str();
    bench->add_option("--picard-slide", a->picardSlide,
                      "with --scaling: steps a Picard round converges when the window does not limit it")
        ->capture_default_str();
    return [a, model] {
        if (!a->enabled)
            return false;
        runScaling(*a, model);
        return true;
    };
}

} // namespace ds::cli
