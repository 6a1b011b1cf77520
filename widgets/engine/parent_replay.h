#pragma once
// The parent of a fork (and the Picard residual record) rebuilt on the engine thread: the
// trajectory view's reverse run replayed from its seed, with the same start and the same noise
// order as sampling_job.cpp, so every state equals the one the user saw (a test forks with the
// parent's own options and gets zero drift). The replay keeps every state in float32
// (core/instruments/fork.h's RecordedRun) and, for picard-* samplers, every round
// (core/instruments/picard_record.h).
#include "widgets/common/sampler_settings.h"

#include "core/instruments/fork.h"
#include "core/instruments/picard_record.h"
#include "core/stop_token.h"

#include <QString>

#include <functional>
#include <memory>

class QObject;

namespace ds {

class Denoiser;
class EngineThread;

// A reverse run as the trajectory view started it.
struct ParentSpec {
    std::shared_ptr<Denoiser> denoiser;
    SamplerSettings settings;
    int64_t batch = 0;
    uint64_t seed = 0;
    bool valid() const { return denoiser != nullptr && batch > 0; }
};

struct RecordedParent {
    std::shared_ptr<const RecordedRun> run;     // every state, frame 0 = x_T
    std::shared_ptr<const PicardRecord> picard; // picard-* samplers only, else null
};

// Whether `sampler` reports Picard rounds (the registry's picard-* wrappers).
bool isPicardSampler(const QString& sampler);

// Runs on the engine thread. progress(done, total): steps, or accepted positions while a
// Picard solve runs. Throws ds::Error when stopped or when the sampler does not fit the model.
RecordedParent replayParent(const ParentSpec& spec, const std::function<void(qint64, qint64)>& progress,
                            const StopToken& stop);

struct ReplayOutcome {
    RecordedParent parent;
    bool cancelled = false;
    QString error; // empty on success
};

// Queues replayParent. progress and done are called on the UI thread, and only while `context`
// (a UI-thread object) lives.
void postReplayJob(EngineThread& engine, const ParentSpec& spec, QObject* context,
                   std::function<void(qint64, qint64)> progress, std::function<void(const ReplayOutcome&)> done,
                   StopToken stop);

// The way back from an engine job to a UI-thread object that may be destroyed first: made on
// the UI thread, copied into the job, call() queues `f` there and runs it only if `context`
// still lives. The relay object is kept alive by the copies and by every queued call (freed
// with deleteLater after the last).
class UiRelay {
public:
    explicit UiRelay(QObject* context);
    void call(std::function<void()> f) const;

private:
    std::shared_ptr<QObject> relay_;
    std::shared_ptr<void> guard_; // a QPointer to the context, read only on the UI thread
};

} // namespace ds
