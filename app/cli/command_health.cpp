// diffscope-cli health: the model health report (core/instruments/health_report.h) as text or
// JSON: prediction error per t bucket on held-out data against the exact empirical oracle's,
// x̂0 at t = T, samples against the data range, and the prior mismatch. Raw values throughout.
#include "cli_common.h"
#include "command_manifest.h"
#include "commands.h"

#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/instruments/health_export.h"
#include "core/instruments/health_report.h"
#include "core/instruments/instrument_data.h"
#include "core/io/npy.h"
#include "core/io/output_path.h"
#include "core/noise_source.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>

namespace ds::cli {
namespace {

struct HealthArgs {
    std::string checkpoint;
    std::string images;
    std::string dataset;
    int64_t count = 256;
    int64_t oracleCount = 2000;
    bool noOracle = false;
    HealthOptions options;
    uint64_t seed = 0;
    bool json = false;
    bool strict = false;
    std::string device = "cpu";
    std::string out; // the JSON report as a file
    bool noManifest = false;
};

// Held-out data: --images, else core/instruments/instrument_data.h's (the Gaussian oracle's own
// law, or --dataset / the model's held-out split).
at::Tensor heldOutData(const HealthArgs& args, Denoiser& model)
{
    if (args.images.empty())
        return heldOutImages(model, args.count, args.seed, args.dataset);
    auto x = loadNpy(args.images);
    require(at::isFloatingType(x.scalar_type()) && x.dim() == 4, args.images, ": expected float images [M, C, H, W]");
    return x.to(at::kFloat);
}

void printText(const HealthReport& r)
{
    std::cout << "model: " << r.model << " (predicts " << r.target << ")\n"
              << std::setprecision(4) << "t bucket        " << r.target << "-MSE   constant   oracle\n";
    for (const auto& b : r.buckets)
        std::cout << "[" << std::setw(4) << b.tBegin << ", " << std::setw(4) << b.tEnd << "]  " << std::setw(9) << b.mse
                  << "  " << std::setw(9) << b.constantMse << "  " << std::setw(9) << b.oracleMse << '\n';
    auto line = [](const char* what, const ValueStats& s) {
        std::cout << what << "mean " << s.mean << ", std " << s.std << ", min " << s.min << ", max " << s.max << '\n';
    };
    line("data:        ", r.data);
    line("x̂0 at t = T: ", r.x0AtT);
    line("samples:     ", r.samples);
    std::cout << "outside " << r.range.toString() << ": " << 100 * r.samplesOutside << "% of sample values\n"
              << "prior: ᾱ_T = " << r.terminalAlphaBar << ", KL to N(0, I) " << r.priorKl << " nats per pixel\n";
    if (r.healthy())
        std::cout << "healthy: no problems found\n";
    for (const auto& f : r.flags)
        std::cout << "FLAG: " << f << '\n';
}

void runHealth(const HealthArgs& args)
{
    require(args.count >= 1, "--count must be >= 1");
    if (!args.out.empty())
        requireWritableOutput(args.out, "--out", {args.checkpoint, args.images});
    auto model = openDenoiser(args.checkpoint, parseDevice(args.device));
    auto heldOut = heldOutData(args, *model);
    Denoiser* reference = nullptr;
    auto owned = args.noOracle ? nullptr : referenceOracle(*model, args.oracleCount, reference);
    NoiseSource noise(args.seed, model->device());
    auto report = healthReport(*model, heldOut, reference, args.options, noise);
    if (args.json)
        std::cout << healthReportJson(report) << '\n';
    else
        printText(report);
    if (!args.out.empty()) {
        saveHealthJson(args.out, report);
        note(false, "wrote " + args.out);
        auto options = nlohmann::json{{"buckets", args.options.buckets}, {"sampler", args.options.sampler},
                                      {"steps", args.options.steps}, {"samples", args.options.samples}};
        writeCommandManifest({"health",
                              {{"health_options", options}, {"seed", args.seed}, {"count", args.count},
                               {"dataset", args.dataset}, {"oracle_count", args.noOracle ? 0 : args.oracleCount}},
                              args.checkpoint, args.device, {{"--out", args.out}}, {args.images}},
                             args.noManifest, false);
    }
    require(!args.strict || report.healthy(), "health: ", report.flags.size(), " problem(s) found in ", args.checkpoint);
}

} // namespace

void registerHealthCommand(CLI::App& app)
{
    auto args = std::make_shared<HealthArgs>();
    auto* cmd = app.add_subcommand("health", "model health report: error per t bucket, x̂0 at t = T, sample range, "
                                             "prior mismatch");
    cmd->add_option("--checkpoint", args->checkpoint, "a model file, diffusers folder or oracle:<data set>")->required();
    cmd->add_option("--images", args->images, "held-out data .npy [M, C, H, W] in the model's range");
    cmd->add_option("--dataset", args->dataset, "held-out data set (default: the model's test split)");
    cmd->add_option("--count", args->count, "held-out items")->capture_default_str();
    cmd->add_option("--oracle-count", args->oracleCount, "training items of the exact empirical oracle")
        ->capture_default_str();
    cmd->add_flag("--no-oracle", args->noOracle, "skip the oracle's error column");
    cmd->add_option("--buckets", args->options.buckets, "t buckets")->capture_default_str();
    cmd->add_option("--sampler", args->options.sampler, "sampler of the sample check")->capture_default_str();
    cmd->add_option("--steps", args->options.steps, "its steps")->capture_default_str();
    cmd->add_option("--samples", args->options.samples, "samples drawn")->capture_default_str();
    cmd->add_option("--seed", args->seed, "seed of t, ε, x_T and the sampler's noise")->capture_default_str();
    cmd->add_flag("--json", args->json, "the report as JSON on stdout");
    cmd->add_flag("--strict", args->strict, "exit 1 when a problem is flagged");
    cmd->add_option("--device", args->device, "cpu or cuda")->capture_default_str();
    cmd->add_option("--out", args->out, "also write the report as JSON to this file (with its manifest)");
    addManifestFlag(cmd, args->noManifest);
    cmd->callback([args] { runHealth(*args); });
}

} // namespace ds::cli
