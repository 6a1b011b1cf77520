#include "training_benchmark.h"

#include "parameter_updates.h"
#include "training_job.h"

#include "core/denoisers/denoiser.h"
#include "models/error.h"
#include "models/registry.h"

#include <torch/optim/adamw.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <unistd.h>
#include <vector>

namespace ds {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// One engine run of warmup + steps steps; appends the duration of each timed step (from one
// progress report to the next: the step, its log line, the checkpoint check). Returns the job's
// network config (which now carries the data shape) and its parameter count.
std::pair<nlohmann::json, int64_t> timeEngine(TrainingConfig config, int64_t steps, int64_t warmup, int round,
                                             std::vector<double>& out)
{
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("diffscope-bench-" + std::to_string(::getpid()) + "-" + std::to_string(round));
    config.outputDir = dir.string();
    config.name = "bench";
    config.steps = warmup + steps;
    config.previewEvery = 0;
    config.checkpointEvery = 0;
    config.keepCheckpoints = 1;
    TrainingJob job(config);
    Clock::time_point last;
    TrainingCallbacks callbacks;
    callbacks.progress = [&](const TrainingProgress& p) {
        if (p.step > warmup)
            out.push_back(secondsSince(last));
        last = Clock::now();
    };
    auto outcome = job.run(callbacks);
    std::error_code ec;
    fs::remove_all(dir, ec);
    require(outcome.status == TrainingStatus::Finished, "training benchmark: " + outcome.message);
    return {nlohmann::json::parse(toJson(job.config()).at("network").dump()), job.parameterCount()};
}

struct RawBench {
    Network network, ema;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    at::Tensor x, k, target;
};

RawBench makeRaw(const nlohmann::json& net, const TrainingConfig& config)
{
    RawBench r;
    r.network = buildNetwork(net);
    r.ema = buildNetwork(net);
    const int64_t c = net.value("channels", net.value("dims", int64_t(1))), side = net.value("image_size", int64_t(1));
    auto device = parseDevice(config.device);
    r.network->to(device);
    r.ema->to(device);
    r.optimizer = std::make_unique<torch::optim::AdamW>(
        r.network->parameters(), torch::optim::AdamWOptions(config.lr).weight_decay(config.weightDecay));
    r.x = torch::randn({config.batch, c, side, side}, torch::TensorOptions().device(device));
    r.k = torch::randint(0, config.schedule.T, {config.batch}, torch::TensorOptions().dtype(torch::kLong).device(device));
    r.target = torch::randn_like(r.x);
    return r;
}

// warmup + steps raw steps (zero_grad, forward, MSE, backward, AdamW); appends each timed
// step, and beside it the time of clipping and of the EMA update on the same network.
void timeRaw(RawBench& r, const TrainingConfig& config, int64_t steps, int64_t warmup, std::vector<double>& raw,
             std::vector<double>& clip, std::vector<double>& ema)
{
    for (int64_t i = 0; i < warmup + steps; ++i) {
        auto start = Clock::now();
        r.optimizer->zero_grad();
        (r.network->forward(r.x, r.k) - r.target).square().mean().backward();
        r.optimizer->step();
        if (i >= warmup)
            raw.push_back(secondsSince(start));
        start = Clock::now();
        clipGradNorm(*r.network, config.gradClip > 0 ? config.gradClip : 1.0);
        if (i >= warmup)
            clip.push_back(secondsSince(start));
        start = Clock::now();
        updateEma(*r.ema, *r.network, config.emaDecay);
        if (i >= warmup)
            ema.push_back(secondsSince(start));
    }
}

} // namespace

TrainingThroughput measureTrainingThroughput(TrainingConfig config, int64_t steps, int64_t warmup, int rounds)
{
    require(steps >= 1 && warmup >= 0 && rounds >= 1, "training benchmark: steps and rounds must be >= 1");
    TrainingThroughput out;
    std::vector<double> engine, raw, clip, ema;
    std::unique_ptr<RawBench> bench;
    for (int round = 0; round < rounds; ++round) {
        auto [net, parameters] = timeEngine(config, steps, warmup, round, engine);
        if (!bench) {
            bench = std::make_unique<RawBench>(makeRaw(net, config));
            out.parameters = parameters;
            out.flopsPerSample = bench->network->flopsPerSample();
        }
        timeRaw(*bench, config, steps, warmup, raw, clip, ema);
    }
    out.rounds = rounds;
    out.engineStepSeconds = median(engine);
    out.rawStepSeconds = median(raw);
    out.clipSeconds = median(clip);
    out.emaSeconds = median(ema);
    out.engineImagesPerSecond = double(config.batch) / out.engineStepSeconds;
    out.rawImagesPerSecond = double(config.batch) / out.rawStepSeconds;
    return out;
}

} // namespace ds
