#pragma once
// Training throughput of the engine beside the raw cost of the same network, so the engine's
// overhead (data draws, noising, EMA, clipping, logging) is visible.
#include "training_config.h"

namespace ds {

struct TrainingThroughput {
    double engineImagesPerSecond = 0; // TrainingJob steps (no previews; the final checkpoint is not timed)
    double rawImagesPerSecond = 0;    // forward + MSE + backward + AdamW step on a fixed batch
    double engineStepSeconds = 0;     // median over every timed step of every round
    double rawStepSeconds = 0;        // the same for the raw step
    double emaSeconds = 0;            // median of updateEma alone on the same network
    double clipSeconds = 0;           // median of clipGradNorm alone on the same gradients
    int rounds = 0;
    int64_t parameters = 0;
    double flopsPerSample = 0;        // forward pass
    // engine / raw − 1 from the medians: what the engine adds per step.
    double overhead() const { return rawStepSeconds > 0 ? engineStepSeconds / rawStepSeconds - 1.0 : 0; }
};

// `rounds` times, alternately: `steps` engine steps and `steps` raw steps, each after `warmup`
// untimed ones; every step is timed on its own and the medians are compared, so a load spike
// from other processes moves one step, not the ratio. Writes into temporary run folders.
TrainingThroughput measureTrainingThroughput(TrainingConfig config, int64_t steps, int64_t warmup = 3, int rounds = 3);

} // namespace ds
