#pragma once
// Fork at step k on the engine thread: core/instruments/fork.h's forkAt from the frame the
// trajectory view shows, over the parent recorded by parent_replay.h (replayed first when the
// view holds no recording of it yet).
#include "parent_replay.h"

namespace ds {

struct ForkRequest {
    ParentSpec parent;
    RecordedParent recorded;  // run null: replay the parent first
    int64_t t = 0;            // fork from the parent's state at this t (its frame of nearest t)
    SamplerSettings fork;     // the fork's sampler and options
};

struct ForkOutcome {
    RecordedParent parent;            // the recording the fork started from (to keep for the next fork)
    std::shared_ptr<const Fork> fork; // null when it failed
    bool cancelled = false;
    QString error;
};

// The parent step to fork after for a frame of label t: the recorded frame of nearest t.
// Throws ds::Error for the last frame (nothing is left to continue).
int64_t forkStepFor(const RecordedRun& parent, int64_t t);

// Queues the fork. progress (steps of the replay; then 0/0 while the fork runs) and done are
// called on the UI thread while `context` lives. `stop` cancels either part.
void postForkJob(EngineThread& engine, const ForkRequest& request, QObject* context,
                 std::function<void(qint64, qint64)> progress, std::function<void(const ForkOutcome&)> done,
                 StopToken stop);

} // namespace ds
