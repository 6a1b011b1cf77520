// diffscope-cli probe: chosen pixels followed along runs of several samplers from one x_T
// (core/instruments/pixel_probe.h), as one CSV: sampler, pixel, t, t/T, log-SNR, NFE, x_t, x̂0.
#include "cli_common.h"
#include "command_manifest.h"
#include "commands.h"

#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/instruments/pixel_probe.h"
#include "core/io/atomic_file.h"
#include "core/io/output_path.h"
#include "core/samplers/sampler_options.h"
#include "core/samplers/sampler_registry.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <iomanip>
#include <limits>
#include <sstream>

namespace ds::cli {
namespace {

struct ProbeArgs {
    std::string checkpoint;
    std::string pixels;
    std::string samplers = "ddim";
    SamplerArgs sampler;
    int64_t patch = 1;
    int64_t channel = 0;
    int64_t sample = 0;
    int64_t n = 1;
    uint64_t seed = 0;
    std::string csv;
    std::string device = "cpu";
    bool quiet = false;
    bool noManifest = false;
};

std::vector<std::string> splitOn(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, separator);)
        if (!part.empty())
            parts.push_back(part);
    return parts;
}

// "y,x;y,x" → regions of patch × patch pixels starting at (y, x).
std::vector<ProbeRegion> parsePixels(const ProbeArgs& args)
{
    std::vector<ProbeRegion> regions;
    for (const auto& pair : splitOn(args.pixels, ';')) {
        const auto yx = splitOn(pair, ',');
        require(yx.size() == 2, "--pixels: '", pair, "' is not y,x (pixels are separated by ';')");
        ProbeRegion r;
        try {
            size_t usedY = 0, usedX = 0;
            r.y = std::stoll(yx[0], &usedY);
            r.x = std::stoll(yx[1], &usedX);
            require(usedY == yx[0].size() && usedX == yx[1].size(), "");
        } catch (const std::exception&) {
            throw Error("--pixels: '" + pair + "' is not two integers y,x");
        }
        r.height = r.width = args.patch;
        r.channel = args.channel;
        r.sample = args.sample;
        regions.push_back(r);
    }
    require(!regions.empty(), "--pixels: give at least one pixel, e.g. --pixels \"14,14;3,20\"");
    return regions;
}

void appendRows(std::ostream& out, const std::string& sampler, const std::vector<ProbeRegion>& regions,
                const ProbeTable& table)
{
    for (size_t p = 0; p < regions.size(); ++p)
        for (size_t f = 0; f < table.t.size(); ++f) {
            const auto F = int64_t(f), P = int64_t(p);
            out << sampler << ',' << p << ',' << regions[p].y << ',' << regions[p].x << ',' << table.t[f] << ','
                << double(table.t[f]) / double(table.T) << ',' << table.logSnr[F][P].item<double>() << ','
                << table.nfe[f] << ',' << table.xt[F][P].item<double>() << ',' << table.x0[F][P].item<double>()
                << '\n';
        }
}

void runProbe(const ProbeArgs& args)
{
    requireWritableOutput(args.csv, "--csv", {args.checkpoint});
    require(args.patch >= 1, "--patch must be >= 1");
    const auto regions = parsePixels(args);
    const auto names = splitOn(args.samplers, ',');
    require(!names.empty(), "--samplers: give at least one sampler name");
    for (const auto& name : names)
        samplerEntry(name); // unknown names fail before any work
    auto device = parseDevice(args.device);
    auto denoiser = openDenoiser(args.checkpoint, device);
    nlohmann::json runs = nlohmann::json::array();
    std::ostringstream rows;
    rows << std::setprecision(std::numeric_limits<double>::max_digits10);
    for (const auto& name : names) {
        auto perSampler = args.sampler;
        perSampler.sampler = name;
        auto sampler = makeSampler(name);
        NoiseSource noise(args.seed, device); // the same x_T for every sampler
        auto xT = initialNoise(*denoiser, args.n, noise);
        const auto options = perSampler.options(&denoiser->info());
        auto table = probeRun(*sampler, *denoiser, xT, options, noise, regions, &interruptToken());
        runs.push_back({{"sampler", name}, {"options", toJson(options)}, {"grid", sampler->grid()}});
        appendRows(rows, name, regions, table);
        note(args.quiet, name + ": " + std::to_string(table.t.size()) + " frames, " + std::to_string(table.nfe.back())
                             + " network passes");
    }
    writeFileAtomically(args.csv, [&](std::ostream& out) {
        out << "sampler,pixel,y,x,t,t_over_T,log_snr,nfe,xt,x0\n" << rows.str();
    });
    note(args.quiet, "wrote " + args.csv);
    writeCommandManifest({"probe", {{"runs", runs}, {"seed", args.seed}, {"n", args.n}}, args.checkpoint,
                          args.device, {{"--csv", args.csv}}, {}},
                         args.noManifest, args.quiet);
}

} // namespace

void registerProbeCommand(CLI::App& app)
{
    auto args = std::make_shared<ProbeArgs>();
    auto* cmd = app.add_subcommand("probe", "follow pixels along runs of several samplers from one x_T: x_t, x̂0 and "
                                            "log-SNR against t, to CSV");
    cmd->add_option("--checkpoint", args->checkpoint, "a model file, diffusers folder or oracle:<data set>[?n=…]")
        ->required();
    cmd->add_option("--pixels", args->pixels, "pixels as \"y,x;y,x;…\"")->required();
    cmd->add_option("--samplers", args->samplers, "comma-separated sampler names, run from the same x_T")
        ->capture_default_str();
    args->sampler.addTo(cmd, false);
    cmd->add_option("--patch", args->patch, "probe the mean of a patch × patch square from each pixel")
        ->capture_default_str();
    cmd->add_option("--channel", args->channel, "channel to probe")->capture_default_str();
    cmd->add_option("--sample", args->sample, "which of the --n samples to probe")->capture_default_str();
    cmd->add_option("--n", args->n, "samples per run")->capture_default_str();
    cmd->add_option("--seed", args->seed, "seed of the noise stream")->capture_default_str();
    cmd->add_option("--csv", args->csv, "table: sampler, pixel, y, x, t, t_over_T, log_snr, nfe, xt, x0")->required();
    cmd->add_option("--device", args->device, "cpu or cuda")->capture_default_str();
    cmd->add_flag("--quiet", args->quiet, "no messages on stderr");
    addManifestFlag(cmd, args->noManifest);
    cmd->callback([args] { runProbe(*args); });
}

} // namespace ds::cli
