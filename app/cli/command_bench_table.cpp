// diffscope-cli bench --table: seed 002's Table 1 for Fashion-MNIST, measured the same way for
// every method — parameters, steps, sequential network passes, FID proxy, wall time per batch.
#include "cli_common.h"
#include "commands.h"

#include "core/data/dataset.h"
#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/io/atomic_file.h"
#include "core/io/resource_paths.h"
#include "core/metrics/fid_proxy.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/start_state.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace ds::cli {
namespace {

struct TableArgs {
    std::string ddpm = resourcePath("demo/fashion_mnist_ddpm.dsckpt");
    std::string dnmNaive = resourcePath("demo/fashion_mnist_dnm_naive.dsckpt");
    std::string dnmDistilled = resourcePath("demo/fashion_mnist_dnm_distilled.dsckpt");
    std::string pixelAware = resourcePath("demo/fashion_mnist_pixel_aware.dsckpt");
    int64_t fidSamples = 1000;     // per method
    int64_t slowFidSamples = 256;  // for the 1000-step methods
    int64_t batch = 64;
    std::string out;
    std::string only;              // comma-separated labels to run (default: all)
};

struct Method {
    std::string label;
    std::string model;
    std::string sampler;
    int64_t steps;
    bool fromData = false; // forward-diffused test image as the start
    bool slow = false;
};

struct Row {
    Method method;
    int64_t parameters = 0;
    int64_t rounds = 0;
    double fid = -1;
    int64_t fidSamples = 0;
    double seconds = 0; // one batch
};

std::vector<Method> methods(const TableArgs& a)
{
    // Picard solves DDPM-100 here: on a CPU its extra batched work is not parallel hardware, so
    // the 1000-step version would take hours; the row shows the sequential rounds it saves.
    return {{"DDPM-1000", a.ddpm, "ddpm", 1000, false, true},
            {"DDPM-100", a.ddpm, "ddpm", 100},
            {"DDIM-10", a.ddpm, "ddim", 10},
            {"DDIM-50", a.ddpm, "ddim", 50},
            {"DDIM-100", a.ddpm, "ddim", 100},
            {"DPM-Solver++(2M)-10", a.ddpm, "dpmpp-2m", 10},
            {"DPM-Solver++(2M)-20", a.ddpm, "dpmpp-2m", 20},
            {"Picard-parallel DDPM-100", a.ddpm, "picard-ddpm", 100},
            {"DNM naive (1000)", a.dnmNaive, "dnm", 1000},
            {"DNM distilled (20)", a.dnmDistilled, "dnm", 20},
            {"pixel-aware, from a real image", a.pixelAware, "pixel-aware", 200, true},
            {"pixel-aware, from noise", a.pixelAware, "pixel-aware", 200}};
}

// One run of n samples starting at test item `offset` (data starts) or from the seeded noise.
SampleRun runOnce(Denoiser& model, Sampler& sampler, const Method& m, int64_t n, int64_t offset, uint64_t seed)
{
    SamplerOptions options;
    options.steps = m.steps;
    options.sigmaScale = m.sampler == "dnm" ? 0.0 : 1.0; // DNM: the deterministic variant
    options.window = 100;
    NoiseSource noise(seed, model.device());
    at::Tensor xT;
    if (m.fromData) {
        sampler.begin(model.schedule(), options);
        xT = forwardDiffusedStart(model, sampler, "fashion-mnist-test", offset, n, noise);
    } else {
        xT = initialNoise(model, n, noise);
    }
    auto run = runSampler(sampler, model, xT, options, noise, {}, &interruptToken());
    require(!run.cancelled, "interrupted");
    return run;
}

Row measure(const Method& m, const TableArgs& args, FidProxy& fid)
{
    Row row{m};
    auto model = openDenoiser(m.model);
    auto sampler = makeSampler(m.sampler);
    row.parameters = model->info().parameters;
    auto first = runOnce(*model, *sampler, m, args.batch, 0, 0);
    row.seconds = first.seconds;
    row.rounds = first.rounds;
    std::vector<at::Tensor> samples{first.x.cpu()};
    row.fidSamples = m.slow ? args.slowFidSamples : args.fidSamples;
    for (int64_t done = args.batch, b = 1; done < row.fidSamples; done += args.batch, ++b)
        samples.push_back(runOnce(*model, *sampler, m, std::min(args.batch, row.fidSamples - done), done, uint64_t(b)).x.cpu());
    auto all = at::cat(samples).narrow(0, 0, row.fidSamples);
    row.fid = fid.score(all, model->info().range);
    return row;
}

std::string table(const std::vector<Row>& rows, const std::string& machine)
{
    std::ostringstream out;
    out << "| method | parameters | steps | sequential network passes | FID proxy (n) | wall s / batch of 64 (" << machine
        << ") |\n|---|---:|---:|---:|---:|---:|\n";
    for (const auto& r : rows) {
        out << std::fixed << "| " << r.method.label << " | ";
        if (r.method.model.empty()) // a reference row: no model, no run
            out << "— | — | — | ";
        else
            out << r.parameters << " | " << r.method.steps << " | " << r.rounds << " | ";
        out << std::setprecision(1) << r.fid << " (" << r.fidSamples << ") | ";
        if (r.method.model.empty())
            out << "— |\n";
        else
            out << std::setprecision(2) << r.seconds << " |\n";
    }
    return out.str();
}

// The floor of the proxy at a sample count: held-out training images scored like samples.
Row referenceRow(FidProxy& fid, int64_t n)
{
    DatasetOptions options;
    options.limit = 50000 + n;
    auto train = loadDataset("fashion-mnist", options);
    Row row{{"training images (reference)", "", "", 0}};
    row.fid = fid.score(train.images.narrow(0, 50000, n), train.range);
    row.fidSamples = n;
    return row;
}

void runTable(const TableArgs& args)
{
    FidProxy fid;
    std::vector<Row> rows{referenceRow(fid, args.fidSamples)};
    if (args.slowFidSamples != args.fidSamples)
        rows.push_back(referenceRow(fid, args.slowFidSamples));
    const auto machine = "CPU, " + std::to_string(at::get_num_threads()) + " threads";
    for (const auto& m : methods(args)) {
        if (!args.only.empty() && ("," + args.only + ",").find("," + m.label + ",") == std::string::npos)
            continue;
        if (!std::filesystem::exists(m.model)) {
            std::cerr << m.label << ": skipped, no model at " << m.model << '\n';
            continue;
        }
        rows.push_back(measure(m, args, fid));
        std::cerr << m.label << ": FID proxy " << rows.back().fid << ", " << rows.back().seconds << " s per batch\n";
    }
    const auto text = table(rows, machine);
    std::cout << text;
    if (!args.out.empty())
        writeFileAtomically(args.out, [&](std::ostream& file) { file << text; });
}

} // namespace

std::function<bool()> addBenchTableOptions(CLI::App* bench)
{
    auto args = std::make_shared<TableArgs>();
    auto enabled = std::make_shared<bool>(false);
    bench->add_flag("--table", *enabled, "seed 002's Table 1 on Fashion-MNIST for every method, measured alike");
    bench->add_option("--ddpm", args->ddpm, "table: the DDPM ε-model")->capture_default_str();
    bench->add_option("--dnm-naive", args->dnmNaive, "table: DNM, naive trainer")->capture_default_str();
    bench->add_option("--dnm-distilled", args->dnmDistilled, "table: DNM, distilled trainer")->capture_default_str();
    bench->add_option("--pixel-aware", args->pixelAware, "table: pixel-aware G and R")->capture_default_str();
    bench->add_option("--fid-samples", args->fidSamples, "table: samples per method for the FID proxy")->capture_default_str();
    bench->add_option("--slow-fid-samples", args->slowFidSamples, "table: samples for the 1000-step methods")->capture_default_str();
    bench->add_option("--batch", args->batch, "table: batch size (the timed batch)")->capture_default_str();
    bench->add_option("--only", args->only, "table: comma-separated method labels to run");
    bench->add_option("--out", args->out, "table: also write the markdown table here");
    return [args, enabled] {
        if (*enabled)
            runTable(*args);
        return *enabled;
    };
}

} // namespace ds::cli
