#include "training_config.h"

#include "core/data/toy_datasets.h"
#include "core/enum_names.h"
#include "models/error.h"
#include "models/json_fields.h"
#include "core/io/resource_paths.h"

#include <filesystem>
#include <set>

namespace ds {
namespace {

constexpr EnumTable<TrainingObjective, 4> kObjectiveNames{{
    {TrainingObjective::Denoise, "denoise"},
    {TrainingObjective::DnmNaive, "dnm-naive"},
    {TrainingObjective::DnmDistilled, "dnm-distilled"},
    {TrainingObjective::PixelAware, "pixel-aware"},
}};

} // namespace

std::string_view name(TrainingObjective objective) { return enumName(kObjectiveNames, objective); }
TrainingObjective trainingObjectiveFromString(std::string_view text)
{
    return enumFromString(kObjectiveNames, text, "training objective");
}

void TrainingConfig::validate() const
{
    require(!name.empty() && name.find('/') == std::string::npos, "training: name must be a plain file name");
    require(steps >= 1, "training: steps must be >= 1");
    require(batch >= 1 && batch <= 65536, "training: batch must be in 1..65536");
    require(lr > 0 && lr < 1, "training: lr must be in (0, 1)");
    require(warmup >= 0 && minLrRatio >= 0 && minLrRatio <= 1, "training: bad warm-up or min_lr_ratio");
    require(emaDecay >= 0 && emaDecay < 1, "training: ema_decay must be in [0, 1)");
    require(gradClip >= 0 && weightDecay >= 0, "training: grad_clip and weight_decay must be >= 0");
    require(previewEvery >= 0 && checkpointEvery >= 0 && keepCheckpoints >= 1 && previewCount >= 1,
            "training: bad preview or checkpoint cadence");
    require(datasetLimit >= 0, "training: dataset_limit must be >= 0");
    require(dnmSteps >= 2 && dnmSteps <= schedule.T && teacherPaths >= 1, "training: bad dnm_steps or teacher_paths");
    require(objective != TrainingObjective::DnmDistilled || !teacher.empty(), "training: dnm-distilled needs a teacher");
    require((objective == TrainingObjective::PixelAware) == (schedule.kind == ScheduleKind::PixelAware),
            "training: the pixel-aware objective goes with the pixel-aware schedule, and only with it");
    require(network.is_object() && network.contains("kind"), "training: network needs a \"kind\"");
    schedule.validate();
}

std::string TrainingConfig::runDir() const { return (std::filesystem::path(outputDir) / name).string(); }

nlohmann::json toJson(const TrainingConfig& c)
{
    return {{"name", c.name},
            {"dataset", c.dataset},
            {"dataset_limit", c.datasetLimit},
            {"network", c.network},
            {"schedule", toJson(c.schedule)},
            {"objective", std::string(name(c.objective))},
            {"prediction", std::string(name(c.prediction))},
            {"teacher", c.teacher},
            {"dnm_steps", c.dnmSteps},
            {"teacher_paths", c.teacherPaths},
            {"steps", c.steps},
            {"batch", c.batch},
            {"lr", c.lr},
            {"warmup", c.warmup},
            {"min_lr_ratio", c.minLrRatio},
            {"weight_decay", c.weightDecay},
            {"ema_decay", c.emaDecay},
            {"grad_clip", c.gradClip},
            {"mixed_precision", c.mixedPrecision},
            {"seed", c.seed},
            {"preview_every", c.previewEvery},
            {"preview_count", c.previewCount},
            {"checkpoint_every", c.checkpointEvery},
            {"keep_checkpoints", c.keepCheckpoints},
            {"output_dir", c.outputDir},
            {"device", c.device}};
}

TrainingConfig trainingConfigFromJson(const nlohmann::json& j, const std::string& where)
{
    require(j.is_object(), where + ": a training config must be a JSON object");
    const auto known = toJson(TrainingConfig{});
    for (const auto& [key, value] : j.items())
        require(known.contains(key), where + ": unknown training config key '" + key + "'");
    const JsonFields f(j, where);
    TrainingConfig c;
    c.name = f.string("name", c.name);
    c.dataset = f.string("dataset", c.dataset);
    c.datasetLimit = f.integer("dataset_limit", c.datasetLimit);
    c.network = f.has("network") ? f.required("network") : c.network;
    if (f.has("schedule"))
        c.schedule = scheduleSpecFromJson(f.required("schedule"), where);
    try {
        c.objective = trainingObjectiveFromString(f.string("objective", std::string(name(c.objective))));
        c.prediction = predictionFromString(f.string("prediction", std::string(name(c.prediction))));
    } catch (const Error& e) {
        const std::string text = e.what();
        throw Error(text.rfind(where, 0) == 0 ? text : where + ": " + text);
    }
    c.teacher = f.string("teacher", c.teacher);
    c.dnmSteps = f.integer("dnm_steps", c.dnmSteps);
    c.teacherPaths = f.integer("teacher_paths", c.teacherPaths);
    c.steps = f.integer("steps", c.steps);
    c.batch = f.integer("batch", c.batch);
    c.lr = f.number("lr", c.lr);
    c.warmup = f.integer("warmup", c.warmup);
    c.minLrRatio = f.number("min_lr_ratio", c.minLrRatio);
    c.weightDecay = f.number("weight_decay", c.weightDecay);
    c.emaDecay = f.number("ema_decay", c.emaDecay);
    c.gradClip = f.number("grad_clip", c.gradClip);
    c.mixedPrecision = f.boolean("mixed_precision", c.mixedPrecision);
    c.seed = uint64_t(f.integer("seed", int64_t(c.seed), 0));
    c.previewEvery = f.integer("preview_every", c.previewEvery);
    c.previewCount = f.integer("preview_count", c.previewCount);
    c.checkpointEvery = f.integer("checkpoint_every", c.checkpointEvery);
    c.keepCheckpoints = f.integer("keep_checkpoints", c.keepCheckpoints);
    c.outputDir = f.string("output_dir", c.outputDir);
    c.device = f.string("device", c.device);
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    return c;
}

std::vector<std::string> trainingPresets()
{
    std::vector<std::string> names{"fashion-mnist-ddpm", "fashion-mnist-dnm-naive", "fashion-mnist-dnm-distilled",
                                   "fashion-mnist-pixel-aware"};
    for (const auto& toy : toyDatasetNames())
        names.push_back(toy);
    return names;
}

TrainingConfig presetTrainingConfig(const std::string& preset)
{
    TrainingConfig c;
    c.name = preset;
    if (preset == "fashion-mnist-ddpm") {
        // A small DDPM ε-model: 28 → 14 → 7 with attention at 7×7, linear T = 1000.
        c.dataset = "fashion-mnist";
        c.network = {{"kind", "unet"}, {"base_channels", 32}, {"multipliers", {1, 2, 2}}, {"res_blocks", 1},
                     {"attention_resolutions", {7}}, {"groups", 8}};
        c.schedule = ScheduleSpec::linear(1000);
        c.steps = 6000;
        c.batch = 48;
        c.lr = 1e-3;
        c.warmup = 500;
        c.emaDecay = 0.999;
        return c;
    }
    // Seed 000 and 002 models: smaller networks, since they are trained on CPU here too.
    const nlohmann::json small = {{"kind", "unet"}, {"base_channels", 16}, {"multipliers", {1, 2, 2}}, {"res_blocks", 1},
                                  {"attention_resolutions", {7}}, {"groups", 8}};
    if (preset == "fashion-mnist-dnm-naive" || preset == "fashion-mnist-dnm-distilled") {
        c.dataset = "fashion-mnist";
        c.network = small;
        c.schedule = ScheduleSpec::linear(1000);
        c.objective = preset == "fashion-mnist-dnm-naive" ? TrainingObjective::DnmNaive : TrainingObjective::DnmDistilled;
        c.teacher = resourcePath("demo/fashion_mnist_ddpm.dsckpt");
        c.steps = 3000;
        c.batch = 32;
        c.lr = 1e-3;
        return c;
    }
    if (preset == "fashion-mnist-pixel-aware") {
        // Seed 002's defaults for 32×32 images: T = 200, γ = 20, data in [ε, 1].
        c.dataset = "fashion-mnist";
        c.schedule = ScheduleSpec::pixelAware(200, 20, 4e-3);
        c.objective = TrainingObjective::PixelAware;
        c.network = {{"kind", "pixel-aware"}, {"scale", small}, {"reverse", small}};
        c.steps = 3000;
        c.batch = 32;
        c.lr = 1e-3;
        return c;
    }
    require(isToyDataset(preset), "unknown training preset '" + preset + "'");
    c.dataset = preset;
    c.network = {{"kind", "mlp"}, {"hidden", 128}, {"layers", 4}, {"time_dim", 32}};
    c.schedule = ScheduleSpec::linear(1000);
    c.steps = 6000;
    c.batch = 256;
    c.lr = 1e-3;
    c.warmup = 200;
    c.emaDecay = 0.995;
    c.previewCount = 512;
    c.checkpointEvery = 2000;
    return c;
}

} // namespace ds
