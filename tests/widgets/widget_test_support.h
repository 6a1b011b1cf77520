#pragma once
// Shared pieces of the widget tests: a small engine + model, synthetic trajectories.
#include "widgets/engine/engine_thread.h"
#include "widgets/engine/model_session.h"
#include "widgets/trajectory/trajectory_document.h"

#include "core/trajectory.h"

#include <QString>

#include <memory>

namespace ds::test {

// Oracles that open fast: a Gaussian (no data set) and a small exact Fashion-MNIST denoiser.
inline const QString kGaussianOracle = QStringLiteral("oracle:gaussian?mean=0&std=0.5&shape=1x8x8&T=100");
inline const QString kFashionOracle = QStringLiteral("oracle:fashion-mnist?n=200");

// The engine thread and a model session over it, declared in the order they must die.
struct Engine {
    EngineThread thread;
    ModelSession model{thread};
    // Opens `spec` and waits (up to 60 s); false if it failed.
    bool open(const QString& spec);
};

// A forward (closed-form, linear schedule) trajectory of `batch` images [C, H, W], T steps,
// stored as float16 like the app stores them, and its metadata.
struct SyntheticTrajectory {
    Trajectory trajectory;
    TrajectoryMeta meta;
};
SyntheticTrajectory forwardTrajectoryOf(int64_t batch, int64_t channels, int64_t size, int64_t T, uint64_t seed = 0);

bool fashionMnistInstalled();

} // namespace ds::test
