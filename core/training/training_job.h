#pragma once
// One training run: data set, network, schedule and objective from a TrainingConfig; AdamW
// with warm-up and cosine decay, an EMA of the weights, gradient clipping, bf16 autocast on
// CUDA. Runs on the calling thread (the GUI and the job queue call it from a worker), reports
// through plain callbacks, stops within one step when the token asks, and saves atomic,
// resumable checkpoints. All randomness (batches, timesteps, noise) comes from one CPU
// generator whose state is checkpointed, so a resumed run continues the same loss curve.
#include "training_config.h"

#include "core/stop_token.h"

#include <ATen/core/Tensor.h>

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

namespace ds {

struct TrainingProgress {
    int64_t step = 0;         // steps done
    int64_t steps = 0;        // steps in the run
    double loss = 0;          // this step's loss
    double smoothedLoss = 0;  // exponential average over ~100 steps
    double lr = 0;
    double stepsPerSecond = 0;
    double imagesPerSecond = 0;
    double etaSeconds = 0;
};

enum class TrainingStatus { Finished, Cancelled, Failed };

struct TrainingOutcome {
    TrainingStatus status = TrainingStatus::Finished;
    std::string message;    // for Failed: what went wrong, and what was kept
    int64_t step = 0;
    std::string checkpoint; // the last checkpoint written (empty if none)
};

struct TrainingCallbacks {
    std::function<void(const TrainingProgress&)> progress;                   // after every step
    std::function<void(int64_t step, const at::Tensor& samples)> preview;   // [n, C, H, W], data range
    std::function<void(int64_t step, const std::string& path)> checkpoint;  // after each save
    std::function<void(const std::string& text)> note; // housekeeping: a stale lock taken over, leftovers removed
};

struct TrainingState;

class TrainingJob {
public:
    explicit TrainingJob(const TrainingConfig& config);
    ~TrainingJob();
    TrainingJob(TrainingJob&&) noexcept;
    TrainingJob& operator=(TrainingJob&&) noexcept;

    // Continues from a resumable checkpoint; `steps` > 0 changes the run's total.
    static TrainingJob resume(const std::string& checkpointPath, int64_t steps = 0);
    // Continues with the saved config as `adjust` changes it (steps, checkpoint and preview
    // intervals, …); the result is validated. What the network learns is the caller's to keep.
    static TrainingJob resume(const std::string& checkpointPath, const std::function<void(TrainingConfig&)>& adjust);

    const TrainingConfig& config() const;
    int64_t step() const;
    int64_t parameterCount() const;

    // Trains to config().steps. Never throws for bad data or NaN: the outcome says. Holds the
    // run folder's lock (run_folder.h) throughout and removes temp files of killed saves.
    TrainingOutcome run(const TrainingCallbacks& callbacks = {}, const StopToken& stop = {});

private:
    TrainingJob() = default;
    TrainingOutcome trainLoop(const TrainingCallbacks& callbacks, const StopToken& stop, std::ofstream& log);
    std::unique_ptr<TrainingState> state_;
};

std::string_view name(TrainingStatus status);

} // namespace ds
