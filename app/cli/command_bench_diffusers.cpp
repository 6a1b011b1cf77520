// diffscope-cli bench --diffusers FOLDER: what opening a diffusers UNet2DModel folder costs (wall
// time, peak resident memory over the weights' bytes) and the network time per batch.
// --random-from CONFIG first writes FOLDER from a UNet2DModel config.json with seeded random
// weights and stops, so the measuring run starts in a fresh process (scripts/bench_diffusers.py
// runs both and the PyTorch side).
#include "commands.h"

#include "core/denoisers/diffusers_model.h"
#include "models/error.h"
#include "core/export/model_export.h"
#include "core/io/output_path.h"
#include "models/diffusers_unet.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

namespace ds::cli {
namespace {

namespace fs = std::filesystem;

struct DiffusersBenchArgs {
    std::string folder;
    std::string randomFrom;
    std::vector<int64_t> batches{1, 8};
    int passes = 5;
};

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"); 0 where there is none.
double statusBytes(const std::string& field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0)
            return std::stod(line.substr(field.size() + 1)) * 1024.0; // kB
    return 0;
}

// Resets VmHWM to the current RSS (Linux ≥ 4.0), so it reports the peak of what follows.
void resetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void writeRandomFolder(const DiffusersBenchArgs& a, uint64_t seed)
{
    std::error_code ec;
    require(!fs::exists(a.folder, ec), "--diffusers ", a.folder, ": already exists; --random-from writes a new folder");
    requireWritableOutput(a.folder, "--diffusers");
    std::ifstream in(a.randomFrom);
    require(bool(in), "--random-from ", a.randomFrom, ": cannot open for reading");
    const auto config = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    require(!config.is_discarded(), "--random-from ", a.randomFrom, ": not valid JSON");
    at::manual_seed(seed); // the modules' default initialisers draw from the global generator
    DiffusersUNet2D net(DiffusersUNetConfig::fromJson(config, a.randomFrom));
    fs::create_directories(a.folder, ec);
    require(!ec, a.folder, ": cannot create the folder: ", ec.message());
    writeDiffusersUNet(*net, config, a.folder);
    std::cout << "wrote " << a.folder << " (" << net->parameterCount() << " parameters, random weights, seed " << seed
              << ")\n";
}

// Median of `passes` timed forward passes after two warm-up passes.
double secondsPerPass(DiffusersUNet2DImpl& net, int64_t batch, const std::array<int64_t, 3>& shape, int passes)
{
    c10::NoGradGuard noGrad;
    const at::Tensor x = at::randn({batch, shape[0], shape[1], shape[2]});
    const at::Tensor t = at::randint(0, 1000, {batch}, at::kLong);
    std::vector<double> times;
    for (int i = 0; i < passes + 2; ++i) {
        const auto start = std::chrono::steady_clock::now();
        net.forward(x, t);
        if (i >= 2)
            times.push_back(secondsSince(start));
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

void measure(const DiffusersBenchArgs& a, const std::string& jsonPath)
{
    require(a.passes >= 1, "--passes must be >= 1");
    resetPeakRss();
    const double before = statusBytes("VmRSS");
    const auto start = std::chrono::steady_clock::now();
    auto model = DiffusersDenoiser::open(a.folder);
    const double loadSeconds = secondsSince(start);
    const double peak = statusBytes("VmHWM") - before, after = statusBytes("VmRSS") - before;
    const auto& info = model->info();
    double weightBytes = 0;
    for (const auto& p : model->network()->parameters())
        weightBytes += double(p.numel()) * (info.weightsDtype == "float32" ? 4.0 : info.weightsDtype == "float64" ? 8.0 : 2.0);
    const double flops = model->network()->flopsPerSample();
    std::cout << "diffusers folder " << a.folder << ": " << info.parameters << " parameters, " << std::setprecision(2)
              << flops / 1e9 << " GFLOP per sample, " << info.weightsDtype
              << " weights " << std::fixed << std::setprecision(1) << weightBytes / 1e6 << " MB, " << at::get_num_threads()
              << " threads\n"
              << "load " << std::setprecision(3) << loadSeconds << " s; RSS during load peaks " << std::setprecision(1)
              << peak / 1e6 << " MB above the start (" << std::setprecision(2) << peak / weightBytes
              << "x the weights), " << std::setprecision(1) << after / 1e6 << " MB after\n\n"
              << "| batch | ms per network pass (median of " << a.passes << ") |\n|---:|---:|\n";
    nlohmann::json out{{"folder", a.folder},           {"parameters", info.parameters},
                       {"weights_dtype", info.weightsDtype}, {"weight_bytes", weightBytes},
                       {"load_seconds", loadSeconds},  {"peak_rss_bytes", peak},
                       {"rss_after_bytes", after},     {"threads", at::get_num_threads()},
                       {"flops_per_sample", flops},
                       {"seconds_per_pass", nlohmann::json::object()}};
    for (int64_t batch : a.batches) {
        require(batch >= 1, "--batches: every batch size must be >= 1");
        const double s = secondsPerPass(*model->network(), batch, info.shape, a.passes);
        out["seconds_per_pass"][std::to_string(batch)] = s;
        std::cout << "| " << batch << " | " << std::setprecision(1) << 1e3 * s << " |\n";
    }
    if (!jsonPath.empty())
        std::ofstream(jsonPath) << out.dump(2) << '\n';
}

} // namespace

std::function<bool()> addBenchDiffusersOptions(CLI::App* bench, const uint64_t& seed, const std::string& json)
{
    auto a = std::make_shared<DiffusersBenchArgs>();
    bench->add_option("--diffusers", a->folder, "measure opening this diffusers UNet2DModel folder and its network time");
    bench->add_option("--random-from", a->randomFrom,
                      "with --diffusers: first write the folder from this UNet2DModel config.json with random weights "
                      "(seeded by --seed), then stop");
    bench->add_option("--batches", a->batches, "with --diffusers: batch sizes to time")->delimiter(',')->capture_default_str();
    bench->add_option("--passes", a->passes, "with --diffusers: timed passes per batch size")->capture_default_str();
    return [a, &seed, &json] {
        if (a->folder.empty()) {
            require(a->randomFrom.empty(), "--random-from needs --diffusers FOLDER");
            return false;
        }
        if (!a->randomFrom.empty())
            writeRandomFolder(*a, seed);
        else
            measure(*a, json);
        return true;
    };
}

} // namespace ds::cli
