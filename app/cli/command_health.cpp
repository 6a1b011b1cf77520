// diffscope-cli health: the model health report (core/instruments/health_report.h) as text or
// JSON: prediction error per t bucket on held-out data against the exact empirical oracle's,
// x̂0 at t = T, samples against the data range, and the prior mismatch. Raw values throughout.
#include "cli_common.h"
#include "commands.h"

#include "core/data/dataset.h"
#include "core/denoisers/denoiser_loader.h"
#include "core/denoisers/empirical_denoiser.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "core/error.h"
#include "core/instruments/health_report.h"
#include "core/io/npy.h"
#include "core/noise_source.h"
#include "core/samplers/start_state.h"

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
};

bool knownDataset(const std::string& name)
{
    const auto names = datasetNames();
    return std::find(names.begin(), names.end(), name) != names.end();
}

at::Tensor loadData(const std::string& name, int64_t count, DataRange range)
{
    DatasetOptions options;
    options.limit = count;
    options.range = range;
    return loadDataset(name, options).images;
}

// Held-out data: --images, the Gaussian oracle's own law, or the model's held-out split.
at::Tensor heldOutData(const HealthArgs& args, Denoiser& model)
{
    if (!args.images.empty()) {
        auto x = loadNpy(args.images);
        require(at::isFloatingType(x.scalar_type()) && x.dim() == 4, args.images, ": expected float images [M, C, H, W]");
        return x.to(at::kFloat);
    }
    if (auto* gaussian = dynamic_cast<GaussianDenoiser*>(&model)) {
        NoiseSource draws(args.seed + 1); // not the report's own stream
        auto z = draws.normal({args.count, gaussian->mean().size(1), gaussian->mean().size(2), gaussian->mean().size(3)});
        return gaussian->mean().cpu() + gaussian->std().cpu() * z;
    }
    const auto name = args.dataset.empty() ? startDataset(model.info()) : args.dataset;
    return loadData(name, args.count, model.info().range);
}

// The exact oracle for the model's data: the Gaussian oracle itself, or the empirical
// posterior mean over the first --oracle-count training items.
std::unique_ptr<Denoiser> referenceOracle(const HealthArgs& args, Denoiser& model, Denoiser*& reference)
{
    reference = nullptr;
    if (args.noOracle)
        return nullptr;
    if (dynamic_cast<GaussianDenoiser*>(&model)) {
        reference = &model;
        return nullptr;
    }
    const auto& info = model.info();
    if (!knownDataset(info.dataset) || args.oracleCount < 1)
        return nullptr;
    auto data = loadData(info.dataset, args.oracleCount, info.range);
    if (data.dim() != 4 || data.sizes().slice(1) != at::IntArrayRef(info.shape))
        return nullptr;
    auto oracle = std::make_unique<EmpiricalDenoiser>(data, info.schedule, info.range, info.dataset,
                                                      "oracle:" + info.dataset);
    oracle->to(model.device());
    reference = oracle.get();
    return oracle;
}

nlohmann::json statsJson(const ValueStats& s) { return {{"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"max", s.max}}; }

nlohmann::json toJson(const HealthReport& r)
{
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& b : r.buckets)
        buckets.push_back({{"t_begin", b.tBegin}, {"t_end", b.tEnd}, {"mse", b.mse}, {"constant_mse", b.constantMse},
                           {"oracle_mse", std::isnan(b.oracleMse) ? nlohmann::json() : nlohmann::json(b.oracleMse)}});
    return {{"model", r.model}, {"target", r.target}, {"healthy", r.healthy()}, {"flags", r.flags},
            {"buckets", buckets}, {"data", statsJson(r.data)}, {"data_range", {r.range.lo, r.range.hi}},
            {"x0_at_T", statsJson(r.x0AtT)}, {"samples", statsJson(r.samples)},
            {"samples_outside_fraction", r.samplesOutside}, {"terminal_alpha_bar", r.terminalAlphaBar},
            {"prior_kl_per_pixel", r.priorKl}};
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
    auto model = openDenoiser(args.checkpoint, parseDevice(args.device));
    auto heldOut = heldOutData(args, *model);
    Denoiser* reference = nullptr;
    auto owned = referenceOracle(args, *model, reference);
    NoiseSource noise(args.seed, model->device());
    auto report = healthReport(*model, heldOut, reference, args.options, noise);
    if (args.json)
        std::cout << toJson(report).dump(2) << '\n';
    else
        printText(report);
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
    cmd->callback([args] { runHealth(*args); });
}

} // namespace ds::cli
