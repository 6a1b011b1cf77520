#pragma once
// Trains the FID proxy's feature classifier on Fashion-MNIST (train split) and measures its
// accuracy on the test split. Deterministic for a seed.
#include "core/stop_token.h"

#include <functional>
#include <string>

namespace ds {

struct ClassifierTrainingConfig {
    int64_t epochs = 3;
    int64_t batch = 128;
    double lr = 1e-3;       // AdamW
    uint64_t seed = 0;
    int64_t trainLimit = 0; // first n training images (0: all 60 000)
};

struct ClassifierTrainingResult {
    double testAccuracy = 0;
    double seconds = 0;
    int64_t parameters = 0;
};

// Trains, evaluates and saves an EMA-less checkpoint (kind "classifier", test accuracy in
// header.extra). `progress` gets (epoch, step in epoch, loss).
ClassifierTrainingResult trainFeatureClassifier(const ClassifierTrainingConfig& config, const std::string& outPath,
                                                const std::function<void(int64_t, int64_t, double)>& progress = {},
                                                const StopToken& stop = {});

} // namespace ds
