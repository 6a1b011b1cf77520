// diffscope-cli train: a training run from a preset, a JSON config or flags; --resume continues
// a checkpoint. Ctrl-C or SIGTERM saves a checkpoint and exits cleanly (code 130); further
// interrupts while it trains or saves are ignored (the checkpoint is written first).
#include "cli_common.h"
#include "commands.h"
#include "progress_bar.h"

#include "models/error.h"
#include "models/json_fields.h"
#include "core/io/image_io.h"
#include "core/training/run_recovery.h"
#include "core/training/training_job.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace ds::cli {
namespace {

struct TrainArgs {
    std::string preset;
    std::string config;
    std::string resume;
    std::string name;
    std::string dataset;
    int64_t datasetLimit = -1;
    int64_t steps = 0;
    int64_t batch = 0;
    double lr = 0;
    int64_t seed = -1;
    std::string network; // JSON
    std::string prediction;
    std::string objective;
    std::string teacher;
    std::string schedule;
    std::string outputDir;
    std::string device;
    int64_t previewEvery = -1;
    int64_t checkpointEvery = -1;
    bool printConfig = false;
    bool quiet = false;
};

TrainingConfig configFrom(const TrainArgs& a)
{
    TrainingConfig c;
    if (!a.config.empty()) {
        c = trainingConfigFromJson(readJsonFile(a.config), a.config);
    } else if (!a.preset.empty()) {
        c = presetTrainingConfig(a.preset);
    }
    if (!a.name.empty()) c.name = a.name;
    if (!a.dataset.empty()) c.dataset = a.dataset;
    if (a.datasetLimit >= 0) c.datasetLimit = a.datasetLimit;
    if (a.steps > 0) c.steps = a.steps;
    if (a.batch > 0) c.batch = a.batch;
    if (a.lr > 0) c.lr = a.lr;
    if (a.seed >= 0) c.seed = uint64_t(a.seed);
    if (!a.network.empty()) c.network = parseJson(a.network, "--network");
    if (!a.prediction.empty()) c.prediction = predictionFromString(a.prediction);
    if (!a.objective.empty()) c.objective = trainingObjectiveFromString(a.objective);
    if (!a.teacher.empty()) c.teacher = a.teacher;
    if (!a.schedule.empty()) c.schedule = scheduleSpecFromJson(parseJson(a.schedule, "--schedule"), "--schedule");
    if (!a.outputDir.empty()) c.outputDir = a.outputDir;
    if (!a.device.empty()) c.device = a.device;
    if (a.previewEvery >= 0) c.previewEvery = a.previewEvery;
    if (a.checkpointEvery >= 0) c.checkpointEvery = a.checkpointEvery;
    c.validate();
    return c;
}

// --resume takes a checkpoint or a run folder; a folder resumes from its newest checkpoint that
// loads (latest.dsckpt first), so a run killed before its first latest.dsckpt link still resumes.
std::string resumeCheckpoint(const std::string& given)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(given, ec))
        return given;
    const auto run = inspectRunFolder(given);
    require(run.resumable(), "--resume ", given, ": no checkpoint to continue (", run.problem, ")");
    return run.checkpoint;
}

// On --resume the checkpoint fixes what is learnt; flags that would change it are refused,
// the others (how long, how often, where) are applied.
std::function<void(TrainingConfig&)> resumeAdjustments(const TrainArgs& a)
{
    const std::pair<bool, const char*> fixed[] = {
        {!a.dataset.empty(), "--dataset"},       {a.datasetLimit >= 0, "--dataset-limit"},
        {a.seed >= 0, "--seed"},                 {!a.network.empty(), "--network"},
        {!a.prediction.empty(), "--prediction"}, {!a.objective.empty(), "--objective"},
        {!a.teacher.empty(), "--teacher"},       {!a.schedule.empty(), "--schedule"}};
    for (const auto& [given, flag] : fixed)
        require(!given, std::string(flag) + " cannot change on --resume: the checkpoint's own value is kept (start a "
                                            "new run to change it)");
    return [&a](TrainingConfig& c) {
        if (!a.name.empty()) c.name = a.name;
        if (a.steps > 0) c.steps = a.steps;
        if (a.batch > 0) c.batch = a.batch;
        if (a.lr > 0) c.lr = a.lr;
        if (!a.outputDir.empty()) c.outputDir = a.outputDir;
        if (!a.device.empty()) c.device = a.device;
        if (a.previewEvery >= 0) c.previewEvery = a.previewEvery;
        if (a.checkpointEvery >= 0) c.checkpointEvery = a.checkpointEvery;
        c.validate();
    };
}

std::string describeProgress(const TrainingProgress& p)
{
    std::ostringstream out;
    out << std::setprecision(4) << "loss " << p.smoothedLoss << "  lr " << p.lr << "  " << std::fixed
        << std::setprecision(1) << p.imagesPerSecond << " img/s";
    return out.str();
}

void runTrain(const TrainArgs& args)
{
    require(args.resume.empty() || (args.preset.empty() && args.config.empty()),
            "--resume continues a checkpoint's own config; do not combine it with --preset or --config");
    const auto resumed = args.resume.empty() ? std::string() : resumeCheckpoint(args.resume);
    auto job = resumed.empty() ? TrainingJob(configFrom(args)) : TrainingJob::resume(resumed, resumeAdjustments(args));
    const auto& c = job.config();
    if (args.printConfig) {
        std::cout << toJson(c).dump(2) << '\n';
        return;
    }
    if (resumed != args.resume)
        note(args.quiet, "resuming " + resumed);
    note(args.quiet, "training '" + c.name + "' on " + c.dataset + " (" + c.schedule.describe() + ", "
                         + std::string(name(c.prediction)) + ") into " + c.runDir() + ", from step "
                         + std::to_string(job.step()));
    ProgressBar bar("training", c.steps, !args.quiet);
    TrainingCallbacks callbacks;
    callbacks.note = [&](const std::string& text) { note(args.quiet, "\n" + text); };
    int64_t lastNote = 0;
    callbacks.progress = [&](const TrainingProgress& p) {
        bar.update(p.step);
        if (!args.quiet && p.step - lastNote >= std::max<int64_t>(1, c.steps / 20)) {
            lastNote = p.step;
            std::cerr << "\n  step " << p.step << ": " << describeProgress(p) << '\n';
        }
    };
    callbacks.preview = [&](int64_t step, const at::Tensor& samples) {
        if (samples.size(1) != 1 && samples.size(1) != 3)
            return;
        const auto path = (std::filesystem::path(c.runDir()) / ("preview_" + std::to_string(step) + ".png")).string();
        const auto range = c.schedule.kind == ScheduleKind::PixelAware ? DataRange{c.schedule.epsilon, 1} : DataRange{-1, 1};
        savePng(path, tileImages(samples, range, 0, 2));
    };
    auto outcome = job.run(callbacks, interruptToken());
    bar.finish();
    if (outcome.status == TrainingStatus::Failed)
        throw Error(outcome.message);
    note(args.quiet, outcome.message + (outcome.checkpoint.empty() ? "" : "; checkpoint " + outcome.checkpoint));
}

} // namespace

void registerTrainCommand(CLI::App& app)
{
    auto args = std::make_shared<TrainArgs>();
    auto* cmd = app.add_subcommand("train", "train a diffusion model (background-safe, resumable)");
    std::string presets;
    for (const auto& p : trainingPresets())
        presets += (presets.empty() ? "" : "|") + p;
    cmd->add_option("--preset", args->preset, "start from a ready config: " + presets);
    cmd->add_option("--config", args->config, "training config JSON (see --print-config)");
    cmd->add_option("--resume", args->resume, "continue a resumable checkpoint (.dsckpt), or a run folder's newest one that loads");
    cmd->add_option("--name", args->name, "run name (folder under --output-dir)");
    cmd->add_option("--dataset", args->dataset, "data set name");
    cmd->add_option("--dataset-limit", args->datasetLimit, "use the first n items");
    cmd->add_option("--steps", args->steps, "total optimizer steps");
    cmd->add_option("--batch", args->batch, "batch size");
    cmd->add_option("--lr", args->lr, "peak learning rate");
    cmd->add_option("--seed", args->seed, "seed of batches, timesteps and noise");
    cmd->add_option("--network", args->network, "network config JSON, e.g. '{\"kind\":\"mlp\",\"hidden\":64}'");
    cmd->add_option("--prediction", args->prediction, "epsilon|x0|v");
    cmd->add_option("--objective", args->objective, "denoise|dnm-naive|dnm-distilled|pixel-aware");
    cmd->add_option("--teacher", args->teacher, "dnm-distilled: the teacher model (checkpoint, .pt or oracle spec)");
    cmd->add_option("--schedule", args->schedule, "schedule JSON, e.g. '{\"kind\":\"cosine\",\"T\":1000}'");
    cmd->add_option("--output-dir", args->outputDir, "where run folders go");
    cmd->add_option("--device", args->device, "cpu or cuda");
    cmd->add_option("--preview-every", args->previewEvery, "steps between preview PNGs (0: none)");
    cmd->add_option("--checkpoint-every", args->checkpointEvery, "steps between checkpoints (0: end only)");
    cmd->add_flag("--print-config", args->printConfig, "print the resulting config as JSON and exit");
    cmd->add_flag("--quiet", args->quiet, "no progress output");
    cmd->callback([args] { runTrain(*args); });
}

} // namespace ds::cli
