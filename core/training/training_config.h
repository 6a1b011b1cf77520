#pragma once
// Everything that defines a training run. Saved in every checkpoint's header, so a run can be
// resumed from the checkpoint alone.
#include "core/denoisers/prediction.h"
#include "core/schedule.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ds {

enum class TrainingObjective { Denoise, DnmNaive, DnmDistilled, PixelAware }; // see objectives.h
std::string_view name(TrainingObjective objective);
TrainingObjective trainingObjectiveFromString(std::string_view text);

struct TrainingConfig {
    std::string name = "run";            // job name (folder and log names)
    std::string dataset = "fashion-mnist"; // a data set name (core/dataset.h)
    int64_t datasetLimit = 0;            // use the first n items (0: all; toys draw 100 000)
    nlohmann::json network = {{"kind", "unet"}}; // models/registry.h config; image shape filled in
    ScheduleSpec schedule;               // default linear T = 1000
    TrainingObjective objective = TrainingObjective::Denoise;
    Prediction prediction = Prediction::Epsilon; // denoise: what the network learns (loss target)
    std::string teacher;                 // dnm-distilled: the ε/x0/v model whose DDIM paths are the targets
    int64_t dnmSteps = 20;               // dnm-distilled: grid points of the teacher paths (log-SNR spacing)
    int64_t teacherPaths = 1024;         // dnm-distilled: teacher trajectories generated at the start
    int64_t steps = 10000;               // optimizer steps in total
    int64_t batch = 64;
    double lr = 2e-4;                    // peak learning rate (AdamW)
    int64_t warmup = 500;                // linear warm-up steps, then cosine decay to lr·minLrRatio
    double minLrRatio = 0.05;
    double weightDecay = 0.0;
    double emaDecay = 0.999;             // EMA of weights: θ̄ ← d θ̄ + (1 − d) θ, d ramps up early
    double gradClip = 1.0;               // max global gradient norm (0: off)
    bool mixedPrecision = true;          // bf16 autocast on CUDA (ignored on CPU)
    uint64_t seed = 0;                   // one CPU generator: batches, timesteps, noise
    int64_t previewEvery = 500;          // steps between preview grids (0: never)
    int64_t previewCount = 16;
    int64_t checkpointEvery = 1000;      // steps between checkpoints (0: only at the end)
    int64_t keepCheckpoints = 3;         // keep the last N step checkpoints
    std::string outputDir = "runs";      // checkpoints and logs go to outputDir/name/
    std::string device = "cpu";

    // Checks ranges; throws ds::Error naming the field.
    void validate() const;
    std::string runDir() const;
};

nlohmann::json toJson(const TrainingConfig& c);
// Unknown keys are rejected, missing ones keep their defaults.
TrainingConfig trainingConfigFromJson(const nlohmann::json& j, const std::string& where);

// Ready-made configs for the demo checkpoints ("fashion-mnist-ddpm", "two-moons", …).
TrainingConfig presetTrainingConfig(const std::string& preset);
std::vector<std::string> trainingPresets();

} // namespace ds
