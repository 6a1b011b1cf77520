#pragma once
// A training run small enough for a test: a 2D toy, a one-layer MLP, T = 50, no previews and
// checkpoints only at the end.
#include "core/training/training_config.h"

#include <string>

namespace ds::test {

inline TrainingConfig tinyToyRun(const std::string& outputDir, const std::string& name, int64_t steps,
                                 const std::string& toy = "two-moons")
{
    TrainingConfig c = presetTrainingConfig(toy);
    c.name = name;
    c.outputDir = outputDir;
    c.steps = steps;
    c.batch = 32;
    c.datasetLimit = 500;
    c.network = {{"kind", "mlp"}, {"hidden", 16}, {"layers", 1}, {"time_dim", 8}};
    c.schedule = ScheduleSpec::linear(50);
    c.previewEvery = 0;
    c.checkpointEvery = 0;
    return c;
}

} // namespace ds::test
