// diffscope-cli snr: per-pixel SNR decay of the pixel-aware schedule (seed 002) against a
// linear DDPM schedule on the same image, plus the terminal prior mismatch of both.
// Both curves use the same rescaled image x̃0 ∈ [ε, 1] and SNR_j = x̃0_j² ᾱ_j/(1 − ᾱ_j); they
// are compared on the pixel-aware grid t/T = i/T, the linear one read at the nearest index.
#include "cli_common.h"
#include "command_manifest.h"
#include "commands.h"

#include "models/error.h"
#include "core/io/csv.h"
#include "core/io/npy.h"
#include "core/io/output_path.h"
#include "core/snr.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <sstream>

namespace ds::cli {
namespace {

struct SnrArgs {
    ImageSourceArgs source;
    int64_t T = 200;
    double gamma = 20.0;
    double epsilon = 4e-3;
    int64_t linearT = 1000;
    std::string pixels; // "c,y,x;…" or "y,x;…" (channel 0)
    bool all = false;
    std::string csv;
    std::string npy;
    bool noManifest = false;
};

struct PixelList {
    at::Tensor flat;                 // int64 [P] flat indices into [C, H, W]
    std::vector<std::string> labels; // "c,y,x"
};

int64_t parseCoordinate(const std::string& text)
{
    try {
        return std::stoll(text);
    } catch (const std::exception&) {
        throw Error("--pixels: '" + text + "' is not an integer");
    }
}

// No --pixels (or --all) selects every pixel.
PixelList parsePixels(const std::string& text, at::IntArrayRef chw)
{
    const int64_t C = chw[0], H = chw[1], W = chw[2];
    std::vector<int64_t> flat;
    if (text.empty()) {
        for (int64_t i = 0; i < C * H * W; ++i)
            flat.push_back(i);
    }
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ';')) {
        std::vector<int64_t> v;
        std::istringstream parts(item);
        std::string p;
        while (std::getline(parts, p, ','))
            v.push_back(parseCoordinate(p));
        require(v.size() == 2 || v.size() == 3, "--pixels: expected 'y,x' or 'c,y,x' items separated by ';'");
        if (v.size() == 2)
            v.insert(v.begin(), 0);
        require(v[0] >= 0 && v[0] < C && v[1] >= 0 && v[1] < H && v[2] >= 0 && v[2] < W,
                "--pixels: " + item + " lies outside the image [" + std::to_string(C) + ", " + std::to_string(H) + ", "
                    + std::to_string(W) + "]");
        flat.push_back((v[0] * H + v[1]) * W + v[2]);
    }
    PixelList out;
    for (auto f : flat)
        out.labels.push_back(std::to_string(f / (H * W)) + ":" + std::to_string(f / W % H) + ":" + std::to_string(f % W));
    out.flat = at::tensor(flat, at::kLong);
    return out;
}

void printMismatch(const std::string& label, const PriorMismatch& m)
{
    std::cout << label << ": KL(q(x_T|x0) || N(0,I)) = " << m.meanKl << " nats/pixel (" << m.totalKl
              << " per image); pixels with terminal variance < 0.5: " << 100.0 * m.fractionLowVariance << "%\n";
}

void runSnr(const SnrArgs& args)
{
    require(args.pixels.empty() || !args.all, "give --pixels or --all, not both");
    if (!args.csv.empty())
        requireWritableOutput(args.csv, "--csv", {args.source.image});
    if (!args.npy.empty())
        requireWritableOutput(args.npy, "--npy", {args.source.image});
    auto unit = args.source.load({0.0, 1.0}).narrow(0, 0, 1); // one image, [1, C, H, W] in [0, 1]
    const DataRange tildeRange{args.epsilon, 1.0};
    auto xTilde = (args.epsilon + (1.0 - args.epsilon) * unit).clamp(args.epsilon, 1.0);
    Schedule pixelAware(ScheduleSpec::pixelAware(args.T, args.gamma, args.epsilon), tildeRange);
    auto linearSpec = ScheduleSpec::linear(args.linearT);
    linearSpec.epsilon = args.epsilon;
    Schedule linear(linearSpec, tildeRange);

    const auto pixels = parsePixels(args.all ? std::string() : args.pixels, unit.sizes().slice(1));
    auto pa = snrCurves(pixelAware, xTilde, pixels.flat);                         // [T, P]
    auto rows = (at::arange(1, args.T + 1, at::kDouble) / double(args.T) * double(args.linearT)).round().to(at::kLong) - 1;
    auto lin = snrCurves(linear, xTilde, pixels.flat).index_select(0, rows.clamp(0, args.linearT - 1)); // [T, P]

    printMismatch("pixel-aware " + pixelAware.spec().describe(), summarizePriorMismatch(pixelAware, xTilde));
    Schedule linearOnSigned(linearSpec, DataRange{-1, 1});
    printMismatch("linear      " + linearSpec.describe() + " (data in [-1, 1])",
                  summarizePriorMismatch(linearOnSigned, 2.0 * unit - 1.0));

    Outputs written;
    if (!args.csv.empty()) {
        std::vector<std::string> names{"t_over_T"};
        for (const auto& l : pixels.labels)
            names.push_back("pixel_aware[" + l + "]");
        for (const auto& l : pixels.labels)
            names.push_back("linear[" + l + "]");
        auto t = (at::arange(1, args.T + 1, at::kDouble) / double(args.T)).unsqueeze(1);
        saveCsv(args.csv, names, at::cat({t, pa.to(at::kDouble), lin.to(at::kDouble)}, 1));
        std::cerr << "wrote " << args.csv << "\n";
        written.push_back({"--csv", args.csv});
    }
    if (!args.npy.empty()) {
        saveNpy(args.npy, at::stack({pa, lin}));
        std::cerr << "wrote " << args.npy << " [2 (pixel-aware, linear), " << args.T << ", " << pixels.labels.size()
                  << "]\n";
        written.push_back({"--npy", args.npy});
    }
    writeCommandManifest({"snr",
                          {{"source", args.source.describe()},
                           {"pixel_aware", pixelAware.spec().describe()},
                           {"linear", linearSpec.describe()}},
                          "", "cpu", written, {}},
                         args.noManifest, false);
}

} // namespace

void registerSnrCommand(CLI::App& app)
{
    auto args = std::make_shared<SnrArgs>();
    auto* cmd = app.add_subcommand("snr", "per-pixel SNR of the pixel-aware schedule vs linear DDPM on one image");
    args->source.addTo(cmd);
    cmd->add_option("--T", args->T, "pixel-aware: diffusion steps")->capture_default_str();
    cmd->add_option("--gamma", args->gamma, "pixel-aware: gamma")->capture_default_str();
    cmd->add_option("--epsilon", args->epsilon, "pixel-aware: floor of the rescaled data")->capture_default_str();
    cmd->add_option("--linear-T", args->linearT, "linear DDPM: diffusion steps")->capture_default_str();
    cmd->add_option("--pixels", args->pixels, "pixels 'y,x' or 'c,y,x', separated by ';'");
    cmd->add_flag("--all", args->all, "every pixel (the default when --pixels is not given)");
    cmd->add_option("--csv", args->csv, "CSV: t/T, then pixel-aware and linear SNR per pixel");
    cmd->add_option("--npy", args->npy, ".npy float32 [2, T, P]: pixel-aware and linear SNR");
    addManifestFlag(cmd, args->noManifest);
    cmd->callback([args] { runSnr(*args); });
}

} // namespace ds::cli
