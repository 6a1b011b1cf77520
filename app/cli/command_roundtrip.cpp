// diffscope-cli roundtrip: invert real images to x_T with a deterministic sampler run
// backwards, sample back, and write the reconstruction, its error map and the error against
// the step count (core/instruments/round_trip.h); optionally the memorisation check
// (core/instruments/nearest_training.h) for reconstructions and for samples from N(0, I).
#include "cli_common.h"
#include "command_manifest.h"
#include "commands.h"

#include "core/data/dataset.h"
#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/instruments/nearest_training.h"
#include "core/instruments/round_trip.h"
#include "core/io/atomic_file.h"
#include "core/io/csv.h"
#include "core/io/image_io.h"
#include "core/io/npy.h"
#include "core/io/output_path.h"
#include "core/samplers/sampler_options.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/start_state.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <iomanip>
#include <sstream>

namespace ds::cli {
namespace {

struct RoundTripArgs {
    std::string checkpoint;
    SamplerArgs sampler;
    std::string images;
    std::string dataset; // default: the model's held-out split
    int64_t index = 0;
    int64_t count = 4;
    std::vector<int64_t> errorSteps;
    std::string out, xT, errorMap, png, csv;
    std::string nearestCsv;
    int64_t nearestCount = 10000;
    uint64_t seed = 0;
    std::string device = "cpu";
    bool quiet = false;
    bool noManifest = false;
};

at::Tensor loadImages(const RoundTripArgs& args, const Denoiser& denoiser)
{
    const auto& s = denoiser.info().shape;
    if (!args.images.empty()) {
        auto x = loadNpy(args.images);
        require(at::isFloatingType(x.scalar_type()) && x.dim() == 4 && x.size(1) == s[0] && x.size(2) == s[1]
                    && x.size(3) == s[2],
                args.images, ": expected float images [N, ", s[0], ", ", s[1], ", ", s[2], "] for this model");
        return x.to(at::kFloat);
    }
    require(args.index >= 0 && args.count >= 1, "--index must be >= 0 and --count >= 1");
    const auto name = args.dataset.empty() ? startDataset(denoiser.info()) : args.dataset;
    DatasetOptions options;
    options.limit = args.index + args.count;
    options.range = denoiser.info().range;
    auto data = loadDataset(name, options);
    require(data.images.size(0) >= args.index + args.count, "data set '", name, "' has only ", data.images.size(0),
            " items");
    return data.images.narrow(0, args.index, args.count);
}

// Rows of originals, reconstructions and the error map (0 → the range's low end, the largest
// error → its high end).
void savePanel(const RoundTripArgs& args, const at::Tensor& x0, const RoundTrip& r, DataRange range)
{
    const double scale = r.maxError > 0 ? r.maxError : 1.0;
    auto error = range.lo + range.width() * r.errorMap / scale;
    savePng(args.png, tileImages(at::cat({x0, r.reconstruction, error}), range, x0.size(0), 2));
}

// Nearest training image of each reconstruction and of as many samples from N(0, I).
void writeNearest(const RoundTripArgs& args, Denoiser& denoiser, const std::string& samplerName,
                  const SamplerOptions& options, const RoundTrip& r)
{
    const auto& info = denoiser.info();
    require(!info.dataset.empty(), "--nearest-csv: the model does not name its training data set");
    DatasetOptions dataOptions;
    dataOptions.limit = args.nearestCount;
    dataOptions.range = info.range;
    auto data = loadDataset(info.dataset, dataOptions).images;
    auto sampler = makeSampler(samplerName);
    NoiseSource noise(args.seed, denoiser.device());
    auto generated = runSampler(*sampler, denoiser, initialNoise(denoiser, r.reconstruction.size(0), noise), options,
                                noise, {}, &interruptToken());
    require(!generated.cancelled, "interrupted; nothing written");
    const auto fromData = nearestTraining(r.reconstruction, data), fromNoise = nearestTraining(generated.x, data);
    std::ostringstream rows;
    rows << std::setprecision(17);
    for (const auto& [kind, nearest] : {std::pair{"reconstruct", &fromData}, std::pair{"generate", &fromNoise}})
        for (int64_t i = 0; i < nearest->distance.size(0); ++i)
            rows << kind << ',' << i << ',' << nearest->distance[i].item<double>() << ','
                 << nearest->index[i].item<int64_t>() << '\n';
    writeFileAtomically(args.nearestCsv, [&](std::ostream& out) { out << "kind,sample,distance,index\n" << rows.str(); });
    note(args.quiet, "wrote " + args.nearestCsv + " (nearest of " + std::to_string(data.size(0)) + " " + info.dataset
                         + " items)");
    if (info.kind == "oracle-empirical")
        note(args.quiet, "note: the exact empirical oracle always returns a training image, so distances near 0 "
                         "are expected of it");
}

void runRoundTrip(const RoundTripArgs& args)
{
    const std::vector<std::string> inputs{args.checkpoint, args.images};
    for (const auto& [path, what] : {std::pair{&args.out, "--out"}, std::pair{&args.xT, "--xT"},
                                     std::pair{&args.errorMap, "--error-map"}, std::pair{&args.png, "--png"},
                                     std::pair{&args.csv, "--csv"}, std::pair{&args.nearestCsv, "--nearest-csv"}})
        if (!path->empty())
            requireWritableOutput(*path, what, inputs);
    require(!args.out.empty() || !args.errorMap.empty() || !args.png.empty() || !args.csv.empty(),
            "give --out, --error-map, --png or --csv");
    auto denoiser = openDenoiser(args.checkpoint, parseDevice(args.device));
    auto perSampler = args.sampler;
    if (perSampler.sampler.empty())
        perSampler.sampler = "ddim";
    const auto samplerName = perSampler.sampler;
    const auto options = perSampler.options(&denoiser->info());
    auto x0 = loadImages(args, *denoiser);
    auto r = roundTrip(*denoiser, x0, samplerName, options);
    if (!args.out.empty())
        saveNpy(args.out, r.reconstruction);
    if (!args.xT.empty())
        saveNpy(args.xT, r.inversion.xT.to(at::kCPU));
    if (!args.errorMap.empty())
        saveNpy(args.errorMap, r.errorMap);
    if (!args.png.empty())
        savePanel(args, x0, r, denoiser->info().range);
    if (!args.csv.empty()) {
        auto steps = args.errorSteps.empty() ? std::vector<int64_t>{options.steps} : args.errorSteps;
        auto curve = roundTripErrorCurve(*denoiser, x0, samplerName, options, steps);
        auto table = at::empty({int64_t(curve.size()), 3}, at::kDouble);
        for (size_t i = 0; i < curve.size(); ++i) {
            table[int64_t(i)][0] = double(curve[i].steps);
            table[int64_t(i)][1] = curve[i].rmse;
            table[int64_t(i)][2] = curve[i].maxError;
        }
        saveCsv(args.csv, {"steps", "rmse", "max_error"}, table);
    }
    if (!args.nearestCsv.empty())
        writeNearest(args, *denoiser, samplerName, options, r);
    std::ostringstream summary;
    summary << samplerName << " round trip of " << x0.size(0) << " images, " << options.steps
            << " steps: rmse " << r.rmse << ", max error " << r.maxError << ", " << r.passes << " network passes";
    note(args.quiet, summary.str());
    Outputs written;
    for (const auto& [path, what] : {std::pair{&args.out, "--out"}, std::pair{&args.xT, "--xT"},
                                     std::pair{&args.errorMap, "--error-map"}, std::pair{&args.png, "--png"},
                                     std::pair{&args.csv, "--csv"}, std::pair{&args.nearestCsv, "--nearest-csv"}})
        if (!path->empty())
            written.push_back({what, *path});
    writeCommandManifest({"roundtrip",
                          {{"sampler", samplerName}, {"options", toJson(options)}, {"grid", r.grid},
                           {"images", args.images.empty() ? "dataset" : "file"}, {"dataset", args.dataset},
                           {"index", args.index}, {"count", x0.size(0)}, {"seed", args.seed}},
                          args.checkpoint, args.device, written, {args.images}},
                         args.noManifest, args.quiet);
}

} // namespace

void registerRoundTripCommand(CLI::App& app)
{
    auto args = std::make_shared<RoundTripArgs>();
    auto* cmd = app.add_subcommand("roundtrip", "invert images to x_T with a deterministic sampler (ddim eta = 0, "
                                                "pf-ode-heun), sample back, write the reconstruction error");
    cmd->add_option("--checkpoint", args->checkpoint, "a model file, diffusers folder or oracle:<data set>[?n=…]")
        ->required();
    args->sampler.addTo(cmd);
    cmd->add_option("--images", args->images, "images .npy [N, C, H, W] in the model's range (default: --dataset)");
    cmd->add_option("--dataset", args->dataset, "data set to take images from (default: the model's test split)");
    cmd->add_option("--index", args->index, "first item of --dataset")->capture_default_str();
    cmd->add_option("--count", args->count, "items of --dataset")->capture_default_str();
    cmd->add_option("--out", args->out, "reconstructions .npy [N, C, H, W]");
    cmd->add_option("--xT", args->xT, "the inverted x_T .npy (feed it to sample --init)");
    cmd->add_option("--error-map", args->errorMap, "|reconstruction − x0| .npy [N, C, H, W]");
    cmd->add_option("--png", args->png, "rows: images, reconstructions, error map (black 0 … white max error)");
    cmd->add_option("--csv", args->csv, "error against steps: steps, rmse, max_error");
    cmd->add_option("--error-steps", args->errorSteps, "step counts for --csv (default: --steps)")->delimiter(',');
    cmd->add_option("--nearest-csv", args->nearestCsv, "memorisation check: distance of each reconstruction and of "
                                                       "as many samples from N(0, I) to the nearest training image");
    cmd->add_option("--nearest-count", args->nearestCount, "training items searched by --nearest-csv")
        ->capture_default_str();
    cmd->add_option("--seed", args->seed, "seed of the N(0, I) samples of --nearest-csv")->capture_default_str();
    cmd->add_option("--device", args->device, "cpu or cuda")->capture_default_str();
    cmd->add_flag("--quiet", args->quiet, "no messages on stderr");
    addManifestFlag(cmd, args->noManifest);
    cmd->callback([args] { runRoundTrip(*args); });
}

} // namespace ds::cli
