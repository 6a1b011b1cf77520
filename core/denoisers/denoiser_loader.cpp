#include "denoiser_loader.h"

#include "core/data/dataset.h"
#include "models/error.h"
#include "diffusers_model.h"
#include "empirical_denoiser.h"
#include "gaussian_denoiser.h"
#include "network_denoiser.h"
#include "spec_string.h"
#include "torchscript_denoiser.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <cmath>
#include <sstream>

namespace ds {
namespace {

constexpr const char* kOraclePrefix = "oracle:";
constexpr int64_t kDefaultOracleImages = 2000;

ScheduleSpec scheduleFromSpec(const SpecString& spec, ScheduleSpec base)
{
    base.kind = scheduleKindFromString(spec.get("schedule", std::string(name(base.kind))));
    base.T = spec.getInt("T", base.kind == ScheduleKind::PixelAware ? 200 : base.T);
    base.betaStart = spec.getDouble("beta_start", base.betaStart);
    base.betaEnd = spec.getDouble("beta_end", base.betaEnd);
    base.cosineOffset = spec.getDouble("s", base.cosineOffset);
    base.gamma = spec.getDouble("gamma", base.gamma);
    base.epsilon = spec.getDouble("epsilon", base.epsilon);
    base.validate();
    return base;
}

std::array<int64_t, 3> parseShape(const std::string& text, const std::string& where)
{
    std::array<int64_t, 3> shape{};
    std::istringstream in(text);
    std::string part;
    size_t i = 0;
    while (std::getline(in, part, 'x')) {
        require(i < 3, where + ": shape must be CxHxW");
        try {
            shape[i++] = std::stoll(part);
        } catch (const std::exception&) {
            throw Error(where + ": shape must be CxHxW, got '" + text + "'");
        }
    }
    require(i == 3 && shape[0] > 0 && shape[1] > 0 && shape[2] > 0 && shape[0] * shape[1] * shape[2] <= (1 << 22),
            where + ": shape must be CxHxW with positive sizes, got '" + text + "'");
    return shape;
}

std::unique_ptr<Denoiser> gaussianOracle(const SpecString& spec)
{
    spec.requireKnownKeys({"mean", "std", "shape", "schedule", "T", "beta_start", "beta_end", "s"});
    const auto shape = parseShape(spec.get("shape", "1x8x8"), spec.text());
    auto mean = at::full({shape[0], shape[1], shape[2]}, spec.getDouble("mean", 0.0));
    auto std = at::full({shape[0], shape[1], shape[2]}, spec.getDouble("std", 0.5));
    return std::make_unique<GaussianDenoiser>(mean, std, scheduleFromSpec(spec, {}), DataRange{-1, 1},
                                              kOraclePrefix + spec.text());
}

std::unique_ptr<Denoiser> empiricalOracle(const SpecString& spec, const std::string& dataset)
{
    spec.requireKnownKeys({"n", "schedule", "T", "beta_start", "beta_end", "s", "gamma", "epsilon", "seed"});
    DatasetOptions options;
    options.limit = spec.getInt("n", kDefaultOracleImages);
    require(options.limit >= 1, spec.text() + ": n must be >= 1");
    options.seed = uint64_t(spec.getInt("seed", 0));
    auto schedule = scheduleFromSpec(spec, {});
    if (schedule.kind == ScheduleKind::PixelAware)
        options.range = {schedule.epsilon, 1.0}; // seed 002 normalises images to [ε, 1]
    auto data = loadDataset(dataset, options);
    return std::make_unique<EmpiricalDenoiser>(data.images, schedule, data.range, data.name,
                                               kOraclePrefix + spec.text());
}

// A folder, or a folder with "?scheduler_config=FILE" after it; nullptr for anything else.
std::unique_ptr<Denoiser> openIfFolder(const std::string& text, c10::Device device)
{
    std::error_code ec;
    if (std::filesystem::is_directory(text, ec))
        return DiffusersDenoiser::open(text, device);
    const auto q = text.find('?');
    if (q == std::string::npos || !std::filesystem::is_directory(text.substr(0, q), ec))
        return nullptr;
    const SpecString spec(text);
    spec.requireKnownKeys({"scheduler_config"});
    return DiffusersDenoiser::open(spec.head(), device, spec.get("scheduler_config", ""));
}

} // namespace

std::unique_ptr<Denoiser> openDenoiser(const std::string& text, c10::Device device)
{
    require(!text.empty(), "no model given (a .pt file, a diffusers folder or an oracle spec such as "
                            "oracle:fashion-mnist?n=2000)");
    std::unique_ptr<Denoiser> denoiser;
    if (text.rfind(kOraclePrefix, 0) == 0) {
        SpecString spec(text.substr(std::string(kOraclePrefix).size()));
        if (spec.head() == "gaussian")
            denoiser = gaussianOracle(spec);
        else
            denoiser = empiricalOracle(spec, spec.head());
        denoiser->to(device);
        return denoiser;
    }
    if (auto folder = openIfFolder(text, device))
        return folder;
    if (isNativeCheckpointPath(text))
        return NetworkDenoiser::open(text, device);
    return TorchScriptDenoiser::load(text, device);
}

bool isNativeCheckpointPath(const std::string& path)
{
    const std::string ext = kNativeCheckpointExtension;
    return path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}

// x_T = √ᾱ_T x0 + √(1 − ᾱ_T) ε keeps a fraction √ᾱ_T of the signal; past ~1e-3 (truncated or
// custom betas) the usual start x_T ~ N(0, I) is a different distribution from the trained one.
std::string priorNote(const Schedule& schedule)
{
    if (schedule.perPixel())
        return "prior:       per-pixel schedule: x_T keeps signal where the data is dark; start from data\n";
    const double abar = schedule.terminalAlphaBar();
    if (abar <= kPriorMismatchAlphaBar)
        return {};
    std::ostringstream out;
    out << "prior:       alpha-bar_T = " << abar << ": x_T keeps " << std::sqrt(abar)
        << " of the signal, so x_T is not N(0, I); a start from N(0, I) is a different experiment\n";
    return out.str();
}

std::string describeDenoiser(const Denoiser& d)
{
    const auto& info = d.info();
    std::ostringstream out;
    out << "source:      " << info.source << "\n"
        << "kind:        " << info.kind << "\n"
        << "prediction:  " << name(info.prediction) << "\n"
        << "schedule:    " << info.schedule.describe() << "\n"
        << "shape:       [" << info.shape[0] << ", " << info.shape[1] << ", " << info.shape[2] << "]\n"
        << "data range:  [" << info.range.lo << ", " << info.range.hi << "]\n"
        << "parameters:  " << info.parameters << "\n";
    if (!info.dataset.empty())
        out << "data set:    " << info.dataset << "\n";
    if (info.kind.rfind("diffusers", 0) == 0 || info.weightsDtype != "float32")
        out << "weights:     " << info.weightsDtype << "\n";
    if (!info.recommendedSampler.empty())
        out << "sampler:     " << info.recommendedSampler << " (recommended)"
            << (info.recommendedOptions.empty() ? "" : " " + info.recommendedOptions) << "\n";
    if (!info.notes.empty())
        out << "notes:       " << info.notes << "\n";
    out << priorNote(d.schedule());
    return out.str();
}

} // namespace ds
