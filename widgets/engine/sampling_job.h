#pragma once
// A reverse sampling run on the engine thread that streams its frames to the UI as computed.
#include "widgets/common/sampler_settings.h"

#include "core/stop_token.h"

#include <QtGlobal>

#include <cstdint>
#include <memory>

namespace ds {

class Denoiser;
class EngineThread;
class JobChannel;

struct SamplingRequest {
    std::shared_ptr<Denoiser> denoiser;
    SamplerSettings settings;
    int64_t batch = 16;    // samples drawn together
    uint64_t seed = 0;     // one generator: x_T first, then per-step noise (docs/ARCHITECTURE.md)
    int64_t maxFrames = 0; // frames streamed besides x_T and the last: 0 = every step, else evenly strided
    quint64 ticket = 0;    // copied into every packet
};

// Queues the run. The channel receives frameReady for x_T (step 0) and each kept step,
// progress per step, then finished (also when cancelled through `stop`) or failed.
void postSamplingJob(EngineThread& engine, const SamplingRequest& request, std::shared_ptr<JobChannel> channel,
                     StopToken stop);

// Frames worth keeping for a run of `steps` steps of [N, C, H, W] frames within `budgetBytes`
// (float16 x_t plus x̂0 per frame): 0 (= every step) when all fit.
int64_t frameBudget(int64_t steps, int64_t elementsPerFrame, int64_t budgetBytes);

} // namespace ds
