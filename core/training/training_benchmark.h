#pragma once
// Training throughput of the engine beside the raw cost of the same network, so the engine's
// overhead (data draws, noising, EMA, clipping, logging) is visible.
#include "training_config.h"

namespace ds {

struct TrainingThroughput {
    double engineImagesPerSecond = 0; // TrainingJob steps (no previews or checkpoints)
    double rawImagesPerSecond = 0;    // forward + MSE + backward + AdamW step on a fixed batch
    int64_t parameters = 0;
    double flopsPerSample = 0;        // forward pass
};

// Times `steps` steps of each after `warmup` untimed ones. Writes into a temporary run folder.
TrainingThroughput measureTrainingThroughput(TrainingConfig config, int64_t steps, int64_t warmup = 3);

} // namespace ds
