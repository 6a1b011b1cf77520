#pragma once
// A reverse sampling run on the engine thread that streams its frames to the UI as computed,
// alone or in a group whose runs share their network calls (core/denoisers/batched_calls.h).
#include "widgets/common/sampler_settings.h"

#include "core/denoisers/batched_calls.h"
#include "core/stop_token.h"

#include <QtGlobal>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace ds {

class Denoiser;
class EngineThread;
class JobChannel;

// What a run reports besides its packets, written on the engine thread and read on the UI
// thread: the network passes made by each streamed frame (entry i is written before frame i
// is sent, so it is there when the frame arrives) and how the run's noise was drawn.
class SamplingLog {
public:
    struct Noise {
        bool sharedPath = false;  // the run was offered the shared Brownian path
        int64_t pathDraws = 0;    // step draws the path served
        int64_t offPathDraws = 0; // extra draws inside steps (from the seed's generator)
        int64_t outsideDraws = 0; // draws outside the steps during the run (whole-chain solvers)
        bool done = false;        // set when the run has ended
    };
    void addFramePasses(int64_t passes);
    int64_t framePasses(int64_t frame) const; // −1 when not (yet) known
    void setNoise(const Noise& noise);
    Noise noise() const;
    // Runs whose network calls this run shared (itself included); 1 when it ran alone.
    void setGroupSize(int runs);
    int groupSize() const;

private:
    mutable std::mutex mutex_;
    std::vector<int64_t> passes_;
    Noise noise_;
    int groupSize_ = 1;
};

struct SamplingRequest {
    std::shared_ptr<Denoiser> denoiser;
    SamplerSettings settings;
    int64_t batch = 16;    // samples drawn together
    uint64_t seed = 0;     // one generator: x_T first, then per-step noise (docs/ARCHITECTURE.md)
    int64_t maxFrames = 0; // frames streamed besides x_T and the last: 0 = every step, else evenly strided
    quint64 ticket = 0;    // copied into every packet
    bool sharedNoisePath = false; // step noise from the Brownian path of `seed` (core/brownian_noise.h)
    std::shared_ptr<SamplingLog> log; // optional: filled as the run goes
};

// Queues the run. The channel receives frameReady for x_T (step 0) and each kept step,
// progress per step, then finished (also when cancelled through `stop`) or failed.
void postSamplingJob(EngineThread& engine, const SamplingRequest& request, std::shared_ptr<JobChannel> channel,
                     StopToken stop);

// A run ready to be posted: what to compute, where its packets go, what stops it.
struct SamplingMember {
    SamplingRequest request;
    std::shared_ptr<JobChannel> channel;
    StopToken stop;
};

// What a group's shared model did (calls, the member calls they answered, the largest merged
// batch), written by the group job when it ends and read on the UI thread.
class SamplingGroupLog {
public:
    void finish(const BatchedCallStats& stats);
    BatchedCallStats stats() const;
    bool done() const;

private:
    mutable std::mutex mutex_;
    BatchedCallStats stats_;
    bool done_ = false;
};

// Whether a run of `sampler` on `model` may share its network calls with other runs on the
// same model: sequential samplers on a model of role Denoiser. Whole-chain solvers (Picard,
// DNM, pixel-aware) keep a job of their own: each round is one call of a whole window sized
// for the run alone, and their stop and round protocol lives inside solve(); models of other
// roles reach their networks by other paths (BatchedCalls refuses them).
bool canShareCalls(const QString& sampler, const Denoiser& model);

// Queues `members` (all on one shared model, each passing canShareCalls) as one engine job:
// each run goes on a thread of its own and their rows go through the model as one call per
// round (BatchedCalls). Each channel gets what postSamplingJob's would, as its run goes; a run
// that is stopped or fails leaves the group and the others go on. One member is posted as an
// ordinary job. `log` (optional) receives the group's call counts.
void postSamplingGroup(EngineThread& engine, std::vector<SamplingMember> members,
                       std::shared_ptr<SamplingGroupLog> log = nullptr);

// Frames worth keeping for a run of `steps` steps of [N, C, H, W] frames within `budgetBytes`
// (float16 x_t plus x̂0 per frame): 0 (= every step) when all fit.
int64_t frameBudget(int64_t steps, int64_t elementsPerFrame, int64_t budgetBytes);

} // namespace ds
