#include "training_benchmark.h"

#include "training_job.h"

#include "core/denoisers/denoiser.h"
#include "core/error.h"
#include "models/registry.h"

#include <torch/optim/adamw.h>

#include <chrono>
#include <filesystem>

namespace ds {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TrainingThroughput measureTrainingThroughput(TrainingConfig config, int64_t steps, int64_t warmup)
{
    require(steps >= 1 && warmup >= 0, "training benchmark: steps must be >= 1");
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("diffscope-bench-" + std::to_string(::getpid()));
    config.outputDir = dir.string();
    config.name = "bench";
    config.steps = warmup + steps;
    config.previewEvery = 0;
    config.checkpointEvery = 0;
    config.keepCheckpoints = 1;

    TrainingThroughput out;
    TrainingJob job(config);
    std::chrono::steady_clock::time_point start;
    TrainingCallbacks callbacks;
    callbacks.progress = [&](const TrainingProgress& p) {
        if (p.step == warmup)
            start = std::chrono::steady_clock::now();
        if (p.step == warmup + steps)
            out.engineImagesPerSecond = double(steps * config.batch) / secondsSince(start);
    };
    auto outcome = job.run(callbacks);
    std::error_code ec;
    fs::remove_all(dir, ec);
    require(outcome.status == TrainingStatus::Finished, "training benchmark: " + outcome.message);
    out.parameters = job.parameterCount();

    // The raw cost: the same network (its config now carries the data shape) on one batch.
    auto network = buildNetwork(nlohmann::json::parse(toJson(job.config()).at("network").dump()));
    const auto& net = job.config().network;
    const int64_t c = net.value("channels", net.value("dims", int64_t(1))), side = net.value("image_size", int64_t(1));
    auto device = parseDevice(config.device);
    network->to(device);
    out.flopsPerSample = network->flopsPerSample();
    torch::optim::AdamW optimizer(network->parameters(), torch::optim::AdamWOptions(config.lr));
    auto x = torch::randn({config.batch, c, side, side}, torch::TensorOptions().device(device));
    auto k = torch::randint(0, config.schedule.T, {config.batch}, torch::TensorOptions().dtype(torch::kLong).device(device));
    auto target = torch::randn_like(x);
    for (int64_t i = 0; i < warmup + steps; ++i) {
        if (i == warmup)
            start = std::chrono::steady_clock::now();
        optimizer.zero_grad();
        (network->forward(x, k) - target).square().mean().backward();
        optimizer.step();
    }
    out.rawImagesPerSecond = double(steps * config.batch) / secondsSince(start);
    return out;
}

} // namespace ds
