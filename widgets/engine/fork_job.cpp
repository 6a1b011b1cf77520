#include "fork_job.h"

#include "engine_thread.h"

#include "models/error.h"
#include "core/user_message.h"

namespace ds {
namespace {

// Runs on the engine thread.
ForkOutcome runFork(const ForkRequest& r, const std::function<void(qint64, qint64)>& progress, const StopToken& stop)
{
    ForkOutcome out;
    out.parent = r.recorded.run ? r.recorded : replayParent(r.parent, progress, stop);
    const int64_t k = forkStepFor(*out.parent.run, r.t);
    progress(0, 0); // forkAt reports no steps: a busy bar
    require(r.fork.sampler != QLatin1String("dnm") && r.fork.sampler != QLatin1String("pixel-aware"),
            "fork: ", r.fork.sampler.toStdString(), " solves from x_T only; fork with a step-by-step sampler");
    out.fork = std::make_shared<const Fork>(forkAt(*r.parent.denoiser, *out.parent.run, k,
                                                   r.fork.sampler.toStdString(), r.fork.options, &stop));
    return out;
}

} // namespace

int64_t forkStepFor(const RecordedRun& parent, int64_t t)
{
    const auto& trajectory = parent.trajectory;
    require(trajectory.size() >= 2, "fork: the parent run has no steps");
    const int64_t k = trajectory.nearestFrame(t);
    require(k + 1 < trajectory.size(), "fork: t = ", t, " is the run's final sample; pick an earlier frame to fork from");
    return k;
}

void postForkJob(EngineThread& engine, const ForkRequest& request, QObject* context,
                 std::function<void(qint64, qint64)> progress, std::function<void(const ForkOutcome&)> done,
                 StopToken stop)
{
    UiRelay relay(context);
    engine.post(
        [request, relay, progress, done, stop] {
            ForkOutcome outcome;
            try {
                auto report = [&](qint64 a, qint64 b) { relay.call([progress, a, b] { progress(a, b); }); };
                outcome = runFork(request, report, stop);
            } catch (const std::exception& e) {
                outcome.fork.reset();
                outcome.cancelled = stop.stopRequested();
                outcome.error = QString::fromStdString(userMessage(e));
            }
            relay.call([done, outcome] { done(outcome); });
        },
        stop);
}

} // namespace ds
