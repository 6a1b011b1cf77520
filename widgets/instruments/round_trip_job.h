#pragma once
// The round trip on the engine thread (core/instruments/round_trip.h): invert real images to
// x_T, sample back, the error against the step count, and the generate-vs-reconstruct check
// (the same sampler from N(0, I) and from the images forward-diffused to the first step, each
// output's distance to its nearest training image, core/instruments/nearest_training.h).
// Progress counts stages (the round trip, each curve point, the check); the stop token is
// read between stages.
#include "core/data/data_range.h"
#include "core/instruments/nearest_training.h"
#include "core/instruments/round_trip.h"
#include "core/stop_token.h"

#include <QString>

#include <functional>
#include <memory>
#include <vector>

class QObject;

namespace ds {

class Denoiser;
class EngineThread;

struct RoundTripRequest {
    std::shared_ptr<Denoiser> denoiser;
    at::Tensor images;             // images to invert [N, C, H, W]; undefined: the first `count` held-out
    int64_t count = 4;
    std::string sampler = "ddim";  // "ddim" (η = 0) or "pf-ode-heun"
    SamplerOptions options;        // steps and grid of the round trip
    std::vector<int64_t> curveSteps; // step counts of the error curve (empty: none)
    bool generateCheck = true;     // the memorisation check
    int64_t nearestCount = 2000;   // training items searched
    uint64_t seed = 0;             // N(0, I) starts and the forward-diffusion noise of the check
};

struct GenerateCheck {
    bool done = false;
    QString why;                 // when not done: why ("the model names no training set")
    at::Tensor fromNoise;        // samples from N(0, I), [N, C, H, W]
    at::Tensor fromData;         // samples from the images diffused to the first grid index
    NearestTraining nearestNoise, nearestData;
    int64_t searched = 0;        // training items searched
    bool empiricalOracle = false; // the exact empirical oracle: always ends on a training image
};

struct RoundTripOutcome {
    at::Tensor x0;               // the images inverted (CPU)
    RoundTrip trip;              // CPU tensors
    std::vector<RoundTripPoint> curve;
    GenerateCheck check;
    DataRange range;
    std::string sampler;
    bool cancelled = false;
    QString error;               // empty on success
};

// Runs on the calling thread (the engine thread, or a test). progress(done, total) per stage.
RoundTripOutcome runRoundTripRequest(const RoundTripRequest& request, const std::function<void(qint64, qint64)>& progress,
                                     const StopToken& stop);

// Queues the request; progress and done are called on the UI thread while `context` lives.
void postRoundTripJob(EngineThread& engine, const RoundTripRequest& request, QObject* context,
                      std::function<void(qint64, qint64)> progress, std::function<void(const RoundTripOutcome&)> done,
                      StopToken stop);

} // namespace ds
