// diffscope-cli eval: sample a model and score the samples against its data set:
// Fashion-MNIST → FID proxy against the 10 000 test images; 2D toys → MMD² and sliced
// Wasserstein distance against fresh draws of the true distribution. Every score is printed
// beside its floor, the score of real data at the same sample size.
#include "cli_common.h"
#include "commands.h"
#include "finite_check.h"
#include "progress_bar.h"
#include "sample_score.h"

#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/io/npy.h"
#include "core/samplers/sampler_options.h"
#include "core/samplers/sampler_registry.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace ds::cli {
namespace {

struct EvalArgs {
    std::string checkpoint;
    std::string schedulerConfig;
    std::string samples; // score an existing .npy instead of sampling
    SamplerArgs sampler;
    int64_t n = 1000;
    int64_t batch = 250;
    uint64_t seed = 0;
    std::string device = "cpu";
    std::string dataset; // overrides the model's
    bool quiet = false;
};

at::Tensor drawSamples(const EvalArgs& args, Denoiser& denoiser)
{
    auto sampler = makeSampler(args.sampler.samplerName(&denoiser.info()));
    const auto options = args.sampler.options(&denoiser.info());
    NoiseSource noise(args.seed, denoiser.device());
    std::vector<at::Tensor> parts;
    ProgressBar bar("sampling", args.n, !args.quiet);
    for (int64_t done = 0; done < args.n; done += args.batch) {
        auto xT = initialNoise(denoiser, std::min(args.batch, args.n - done), noise);
        auto run = runSampler(*sampler, denoiser, xT, options, noise, {}, &interruptToken());
        require(!run.cancelled, "interrupted");
        parts.push_back(run.x.cpu());
        bar.update(done + xT.size(0));
    }
    return at::cat(parts);
}

void runEval(const EvalArgs& args)
{
    require(args.n >= 2 && args.batch >= 1, "--n must be >= 2 and --batch >= 1");
    at::Tensor samples;
    nlohmann::json run; // what made the samples
    std::string dataset = args.dataset; // default: the model's
    std::unique_ptr<SampleScore> score;
    if (!args.samples.empty()) {
        require(!dataset.empty(), "--samples needs --dataset");
        score = std::make_unique<SampleScore>(dataset, DataRange{-1, 1});
        samples = loadNpy(args.samples).to(at::kFloat);
        require(samples.dim() == 4, args.samples + ": samples must be [N, C, H, W]");
    } else {
        auto denoiser = openDenoiser(withSchedulerConfig(args.checkpoint, args.schedulerConfig), parseDevice(args.device));
        if (dataset.empty())
            dataset = denoiser->info().dataset;
        score = std::make_unique<SampleScore>(dataset, denoiser->info().range); // refused before sampling
        samples = drawSamples(args, *denoiser);
        run["sampler"] = args.sampler.samplerName(&denoiser->info());
        run["options"] = toJson(args.sampler.options(&denoiser->info()));
    }
    requireFiniteSamples(samples, args.samples.empty() ? "the samples" : args.samples);
    auto result = score->report(samples);
    result["dataset"] = dataset;
    result["samples"] = samples.size(0);
    if (args.samples.empty()) {
        result["sampler"] = run["sampler"];
        result["options"] = run["options"];
        result["checkpoint"] = args.checkpoint;
    }
    std::cout << result.dump(2) << '\n';
}

} // namespace

void registerEvalCommand(CLI::App& app)
{
    auto args = std::make_shared<EvalArgs>();
    auto* cmd = app.add_subcommand("eval", "score samples: FID proxy (Fashion-MNIST) or MMD / sliced Wasserstein (toys)");
    cmd->add_option("--checkpoint", args->checkpoint, "model to sample");
    addSchedulerConfigOption(cmd, args->schedulerConfig);
    cmd->add_option("--samples", args->samples, "score these samples (.npy [N, C, H, W]) instead");
    args->sampler.addTo(cmd);
    cmd->add_option("--n", args->n, "number of samples")->capture_default_str();
    cmd->add_option("--batch", args->batch, "samples per sampler run")->capture_default_str();
    cmd->add_option("--seed", args->seed, "seed")->capture_default_str();
    cmd->add_option("--device", args->device, "cpu or cuda")->capture_default_str();
    cmd->add_option("--dataset", args->dataset, "data set to compare with (default: the model's)");
    cmd->add_flag("--quiet", args->quiet, "no progress bar");
    cmd->callback([args] {
        require(!args->checkpoint.empty() || !args->samples.empty(), "give --checkpoint or --samples");
        runEval(*args);
    });
}

} // namespace ds::cli
