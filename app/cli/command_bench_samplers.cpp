// diffscope-cli bench-samplers: every sampler × timestep grid × NFE, measured two ways.
//  1. Exactly, on Gaussian data with the exact denoiser (core/metrics/gaussian_sampler_error.h):
//     the 2-Wasserstein distance of the sampler's output law to the data, no sampling error,
//     on the linear and the cosine schedule.
//  2. On a trained model, by the score of its data set (sample_score.h: the FID proxy for
//     Fashion-MNIST, the sliced 2-Wasserstein distance for the 2D toys), n samples per seed,
//     mean ± std over seeds, for the rows asked for (it costs n·NFE network passes each), and
//     each row's paired difference to the first run at the same NFE: rows share x_T and noise
//     per seed, so Δ's spread over seeds is far below the rows' own spreads.
// The tables choose the registry's default grid per sampler and schedule (docs/benchmarks.md).
#include "cli_common.h"
#include "commands.h"
#include "sample_score.h"

#include "core/denoisers/denoiser_loader.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "models/error.h"
#include "core/io/atomic_file.h"
#include "core/io/output_path.h"
#include "core/io/resource_paths.h"
#include "core/metrics/gaussian_sampler_error.h"
#include "core/samplers/sampler_registry.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace ds::cli {
namespace {

struct StudyArgs {
    std::vector<std::string> samplers;  // empty: every stepwise denoiser sampler (no picard-*)
    std::vector<std::string> spacings;  // empty: every grid
    std::vector<int64_t> nfe{10, 20, 50};
    std::vector<std::string> schedules{"linear", "cosine"};
    std::string modelCheckpoint;        // empty: no model rows
    std::vector<std::string> modelRuns; // sampler:spacing list, '*' for every sampler or grid
    int64_t modelN = 1000;
    int64_t modelSeeds = 3;
    int64_t batch = 250;
    bool modelClip = false;             // clamp x̂0 to the model's data range in the model rows
    std::string csv;
};

// Four pixels of different signal-to-noise: (μ, s) = (0.2, 0.5), (−0.5, 0.1), (0.8, 0.05), (0, 1).
const std::vector<double> kMu{0.2, -0.5, 0.8, 0.0}, kStd{0.5, 0.1, 0.05, 1.0};

at::Tensor pixels(const std::vector<double>& v) { return at::tensor(v, at::kFloat).reshape({1, 2, 2}); }

ScheduleSpec scheduleNamed(const std::string& name)
{
    if (name == "linear")
        return ScheduleSpec::linear(1000);
    if (name == "cosine")
        return ScheduleSpec::cosine(1000);
    throw Error("--schedules: unknown schedule '" + name + "' (expected linear or cosine)");
}

std::vector<std::string> defaultSamplers()
{
    std::vector<std::string> out;
    for (const auto& e : samplerRegistry())
        if (e.role == ModelRole::Denoiser && !std::string_view(e.name).starts_with("picard-"))
            out.emplace_back(e.name);
    return out;
}

std::vector<std::string> defaultSpacings()
{
    std::vector<std::string> out;
    for (auto s : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace, Spacing::LogSnr, Spacing::Karras})
        out.emplace_back(name(s)); // exponential selects the log-SNR indices on a discrete schedule
    return out;
}

// Steps that spend about `nfe` network calls: a Heun step costs two dependent calls.
int64_t stepsFor(const std::string& sampler, int64_t nfe)
{
    return std::max<int64_t>(1, nfe / makeSampler(sampler)->dependentCallsPerStep());
}

struct ExactRow {
    std::string schedule, sampler, spacing;
    int64_t targetNfe, steps, nfe;
    double w2;
};

std::vector<ExactRow> exactStudy(const StudyArgs& a)
{
    std::vector<ExactRow> rows;
    const auto samplers = a.samplers.empty() ? defaultSamplers() : a.samplers;
    const auto spacings = a.spacings.empty() ? defaultSpacings() : a.spacings;
    for (const auto& schedule : a.schedules) {
        GaussianDenoiser oracle(pixels(kMu), pixels(kStd), scheduleNamed(schedule));
        for (const auto& sampler : samplers)
            for (const auto& spacing : spacings)
                for (auto nfe : a.nfe) {
                    auto options = defaultOptions(sampler);
                    options.spacing = spacingFromString(spacing);
                    options.steps = stepsFor(sampler, nfe);
                    const auto law = exactGaussianOutputLaw(sampler, options, oracle);
                    rows.push_back({schedule, sampler, spacing, nfe, options.steps, law.networkCalls,
                                    gaussianW2(law, pixels(kMu), pixels(kStd))});
                }
    }
    return rows;
}

// Per schedule: one line per sampler, one column per grid, "W2 at NFE a / b / c" (×10³), the
// best grid of each sampler at the middle NFE in bold.
void printExact(const std::vector<ExactRow>& rows, const StudyArgs& a)
{
    std::map<std::tuple<std::string, std::string, std::string, int64_t>, const ExactRow*> at;
    std::vector<std::string> samplers, spacings;
    for (const auto& r : rows) {
        at[{r.schedule, r.sampler, r.spacing, r.targetNfe}] = &r;
        if (std::find(samplers.begin(), samplers.end(), r.sampler) == samplers.end())
            samplers.push_back(r.sampler);
        if (std::find(spacings.begin(), spacings.end(), r.spacing) == spacings.end())
            spacings.push_back(r.spacing);
    }
    const auto middle = a.nfe[a.nfe.size() / 2];
    std::ostringstream nfeText;
    for (size_t i = 0; i < a.nfe.size(); ++i)
        nfeText << (i ? " / " : "") << a.nfe[i];
    for (const auto& schedule : a.schedules) {
        std::cout << "\n" << schedule << " schedule (T = 1000): 1000 × W2 to the data at NFE " << nfeText.str()
                  << "; bold: the best grid at NFE " << middle << "\n\n| sampler |";
        for (const auto& s : spacings)
            std::cout << ' ' << s << " |";
        std::cout << "\n|---|";
        for (size_t i = 0; i < spacings.size(); ++i)
            std::cout << "---:|";
        std::cout << '\n';
        for (const auto& sampler : samplers) {
            std::string best;
            double bestW2 = INFINITY;
            for (const auto& s : spacings)
                if (auto* r = at[{schedule, sampler, s, middle}]; r && r->w2 < bestW2)
                    bestW2 = r->w2, best = s;
            std::cout << "| " << sampler << " |";
            for (const auto& s : spacings) {
                std::ostringstream cell;
                for (size_t i = 0; i < a.nfe.size(); ++i)
                    if (auto* r = at[{schedule, sampler, s, a.nfe[i]}])
                        cell << (i ? " / " : "") << std::fixed << std::setprecision(r->w2 < 0.01 ? 2 : 1) << 1000 * r->w2;
                std::cout << ' ' << (s == best ? "**" + cell.str() + "**" : cell.str()) << " |";
            }
            std::cout << '\n';
        }
    }
}

struct MeanStd {
    double mean = 0, std = 0; // std: the sample standard deviation (n − 1)
};

MeanStd meanStd(const std::vector<double>& v)
{
    MeanStd out;
    for (auto x : v)
        out.mean += x / double(v.size());
    double var = 0;
    for (auto x : v)
        var += (x - out.mean) * (x - out.mean) / std::max<double>(1, double(v.size()) - 1);
    out.std = std::sqrt(var);
    return out;
}

struct ModelRow {
    std::string sampler, spacing;
    int64_t targetNfe, steps, nfe;
    double mean, std;
    std::vector<double> perSeed;
};

// A row minus the reference row (the first run at the same NFE), seed by seed; indices into
// ModelStudy::rows.
struct PairedDelta {
    size_t row, reference;
    MeanStd delta;
    int lowerIn = 0; // seeds where the row scored below the reference (lower is better)
};

struct ModelRun {
    std::string sampler, spacing;
};

// "sampler:spacing" with '*' for every sampler (of --samplers, default all but the oracle's
// own) or every grid (of --spacings, default all).
std::vector<ModelRun> expandRuns(const StudyArgs& a)
{
    std::vector<ModelRun> out;
    for (const auto& run : a.modelRuns) {
        const auto colon = run.find(':');
        require(colon != std::string::npos, "--model-runs: '", run, "' is not sampler:spacing");
        const auto sampler = run.substr(0, colon), spacing = run.substr(colon + 1);
        auto samplers = sampler == "*" ? (a.samplers.empty() ? defaultSamplers() : a.samplers)
                                       : std::vector<std::string>{sampler};
        if (sampler == "*") // it needs an exact oracle, not a trained model
            std::erase(samplers, std::string("oracle-ancestral"));
        const auto spacings = spacing == "*" ? (a.spacings.empty() ? defaultSpacings() : a.spacings)
                                             : std::vector<std::string>{spacing};
        for (const auto& s : samplers) {
            require(samplerEntry(s).role == ModelRole::Denoiser, "--model-runs: ", s, " does not drive a denoiser");
            for (const auto& g : spacings) {
                spacingFromString(g);
                out.push_back({s, g});
            }
        }
    }
    return out;
}

double scoreOfSeed(Denoiser& model, SampleScore& score, const ModelRun& run, const SamplerOptions& options,
                   const StudyArgs& a, uint64_t seed, int64_t& nfe)
{
    std::vector<at::Tensor> samples;
    for (int64_t done = 0, b = 0; done < a.modelN; done += a.batch, ++b) {
        const auto n = std::min(a.batch, a.modelN - done);
        NoiseSource noise(seed * 1000003 + uint64_t(b), model.device()); // the same x_T for every row
        auto s = makeSampler(run.sampler);
        auto result = runSampler(*s, model, initialNoise(model, n, noise), options, noise, {}, &interruptToken());
        require(!result.cancelled, "interrupted");
        nfe = result.usage.passes;
        samples.push_back(result.x.cpu());
    }
    return score.headline(at::cat(samples));
}

ModelRow modelRow(Denoiser& model, SampleScore& score, const ModelRun& run, int64_t target, const StudyArgs& a)
{
    auto options = defaultOptions(run.sampler);
    options.spacing = spacingFromString(run.spacing);
    options.steps = stepsFor(run.sampler, target);
    options.clipDenoised = a.modelClip; // clipRange 0: the model's data range
    std::vector<double> scores;
    int64_t nfe = 0;
    for (int64_t seed = 0; seed < a.modelSeeds; ++seed)
        scores.push_back(scoreOfSeed(model, score, run, options, a, uint64_t(seed), nfe));
    const auto summary = meanStd(scores);
    return {run.sampler, run.spacing, target, options.steps, nfe, summary.mean, summary.std, scores};
}

struct ModelStudy {
    std::string metric;
    double floor = 0; // the metric of n real items
    std::vector<ModelRow> rows;
    std::vector<PairedDelta> deltas;
};

// Every row against the first run at its NFE. Only with two seeds or more: one seed has no spread.
std::vector<PairedDelta> pairedDeltas(const std::vector<ModelRow>& rows)
{
    std::vector<PairedDelta> out;
    std::map<int64_t, size_t> reference;
    for (size_t i = 0; i < rows.size(); ++i)
        reference.try_emplace(rows[i].targetNfe, i);
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const size_t refIndex = reference.at(r.targetNfe);
        if (refIndex == i || r.perSeed.size() < 2)
            continue;
        const auto& ref = rows[refIndex];
        std::vector<double> d;
        PairedDelta p{i, refIndex, {}, 0};
        for (size_t s = 0; s < r.perSeed.size(); ++s) {
            d.push_back(r.perSeed[s] - ref.perSeed[s]);
            p.lowerIn += d.back() < 0;
        }
        p.delta = meanStd(d);
        out.push_back(p);
    }
    return out;
}

ModelStudy modelStudy(const StudyArgs& a, const std::vector<ModelRun>& runs, Denoiser& model, SampleScore& score)
{
    ModelStudy study{std::string(score.headlineName()) + (a.modelClip ? "_clipped" : ""), 0, {}, {}}; // the CSV tells them apart
    study.floor = score.headlineFloor({a.modelN, model.info().shape[0], model.info().shape[1], model.info().shape[2]});
    for (const auto& run : runs)
        for (auto target : a.nfe) {
            study.rows.push_back(modelRow(model, score, run, target, a));
            const auto& r = study.rows.back();
            std::cout << study.metric << ' ' << r.sampler << ' ' << r.spacing << " NFE " << r.nfe << ": "
                      << std::setprecision(4) << r.mean << " ± " << r.std << std::endl;
        }
    study.deltas = pairedDeltas(study.rows);
    return study;
}

void printModelStudy(const ModelStudy& study, const StudyArgs& a)
{
    if (study.rows.empty())
        return;
    std::cout << '\n' << study.metric << " of " << a.modelCheckpoint << ", n = " << a.modelN
              << " per seed, mean ± std over " << a.modelSeeds << " seeds"
              << (a.modelClip ? ", x̂0 clipped to the data range" : "") << "; floor (real data, same n): "
              << std::setprecision(4) << study.floor << "\n\n| sampler | grid | NFE | "
              << study.metric << " |\n|---|---|---:|---:|\n";
    for (const auto& r : study.rows)
        std::cout << "| " << r.sampler << " | " << r.spacing << " | " << r.nfe << " | " << std::setprecision(4)
                  << r.mean << " ± " << r.std << " |\n";
    if (study.deltas.empty())
        return;
    std::cout << "\nPaired: Δ = row − the first run at the same NFE, seed by seed (same x_T and noise), mean ± std over "
              << a.modelSeeds << " seeds\n\n| sampler | grid | NFE | reference | Δ " << study.metric
              << " | lower in |\n|---|---|---:|---|---:|---:|\n";
    for (const auto& d : study.deltas) {
        const auto &row = study.rows[d.row], &ref = study.rows[d.reference];
        std::cout << "| " << row.sampler << " | " << row.spacing << " | " << row.nfe << " | " << ref.sampler << ':'
                  << ref.spacing << " | " << std::showpos << std::setprecision(3) << d.delta.mean << std::noshowpos
                  << " ± " << d.delta.std << " | " << d.lowerIn << " of " << row.perSeed.size() << " seeds |\n";
    }
}

void writeCsv(const std::string& path, const std::vector<ExactRow>& exact, const ModelStudy& model)
{
    std::ostringstream out;
    out << "measure,schedule,sampler,spacing,target_nfe,steps,nfe,value,std\n" << std::setprecision(17);
    for (const auto& r : exact)
        out << "gaussian_w2," << r.schedule << ',' << r.sampler << ',' << r.spacing << ',' << r.targetNfe << ','
            << r.steps << ',' << r.nfe << ',' << r.w2 << ",\n";
    for (const auto& r : model.rows)
        out << model.metric << ",model," << r.sampler << ',' << r.spacing << ',' << r.targetNfe << ',' << r.steps << ','
            << r.nfe << ',' << r.mean << ',' << r.std << '\n';
    for (const auto& d : model.deltas) { // the reference is the first model row at that NFE
        const auto& r = model.rows[d.row];
        out << model.metric << "_paired_delta,model," << r.sampler << ',' << r.spacing << ',' << r.targetNfe << ','
            << r.steps << ',' << r.nfe << ',' << d.delta.mean << ',' << d.delta.std << '\n';
    }
    const auto text = out.str();
    writeFileAtomically(path, [&](std::ostream& file) { file << text; });
}

void runStudy(const StudyArgs& a)
{
    require(!a.nfe.empty(), "--nfe needs at least one value");
    for (auto n : a.nfe)
        require(n >= 1 && n <= 1000, "--nfe: ", n, " is not in 1..1000");
    require(a.modelN >= 2 && a.modelSeeds >= 1 && a.batch >= 1, "--model-n must be >= 2, --model-seeds and --batch >= 1");
    if (!a.csv.empty())
        requireWritableOutput(a.csv, "--csv");
    for (const auto& s : a.samplers)
        samplerEntry(s); // unknown names are refused before any work
    for (const auto& s : a.spacings)
        spacingFromString(s);
    const auto runs = expandRuns(a); // bad names are refused before any work
    require(runs.empty() || !a.modelCheckpoint.empty(), "--model-runs needs --model-checkpoint");
    std::unique_ptr<Denoiser> network; // opened, and its data set's metric found, before any work
    std::unique_ptr<SampleScore> score;
    if (!a.modelCheckpoint.empty()) {
        network = openDenoiser(a.modelCheckpoint);
        score = std::make_unique<SampleScore>(network->info().dataset, network->info().range);
    }
    const auto exact = exactStudy(a);
    printExact(exact, a);
    const auto model = network ? modelStudy(a, runs, *network, *score) : ModelStudy{};
    printModelStudy(model, a);
    if (!a.csv.empty())
        writeCsv(a.csv, exact, model);
}

} // namespace

void registerBenchSamplersCommand(CLI::App& app)
{
    auto a = std::make_shared<StudyArgs>();
    auto* cmd = app.add_subcommand("bench-samplers",
                                   "every sampler x grid x NFE: exact W2 on Gaussian data, FID proxy or sliced W2 on a model");
    cmd->add_option("--samplers", a->samplers, "samplers (default: every stepwise denoiser sampler)")->delimiter(',');
    cmd->add_option("--spacings", a->spacings, "grids (default: leading, trailing, linspace, logsnr, karras)")->delimiter(',');
    cmd->add_option("--nfe", a->nfe, "network evaluations per sample")->delimiter(',')->capture_default_str();
    cmd->add_option("--schedules", a->schedules, "linear, cosine")->delimiter(',')->capture_default_str();
    cmd->add_option("--model-checkpoint,--fid-checkpoint", a->modelCheckpoint,
                    "model for the scored rows (Fashion-MNIST: FID proxy; 2D toys: sliced W2), "
                    "e.g. resources/demo/fashion_mnist_ddpm.dsckpt");
    cmd->add_option("--model-runs,--fid-runs", a->modelRuns, "sampler:spacing list, * for every sampler or grid, e.g. ddim:*; the first is the "
                    "reference of the paired differences")
        ->delimiter(',');
    cmd->add_option("--model-n,--fid-n", a->modelN, "samples per seed")->capture_default_str();
    cmd->add_option("--model-seeds,--fid-seeds", a->modelSeeds, "seeds (mean ± std over them)")->capture_default_str();
    cmd->add_option("--batch", a->batch, "batch size of the model runs")->capture_default_str();
    cmd->add_flag("--model-clip", a->modelClip, "model rows: clamp x0-hat to the model's data range (clip_denoised)");
    cmd->add_option("--csv", a->csv, "also write every row as CSV");
    cmd->callback([a] { runStudy(*a); });
}

} // namespace ds::cli
