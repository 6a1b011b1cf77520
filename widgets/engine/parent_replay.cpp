#include "parent_replay.h"

#include "engine_thread.h"

#include "models/error.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/start_state.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <QMetaObject>
#include <QObject>
#include <QPointer>

#include <optional>

namespace ds {
namespace {

// x_T as runSampling (sampling_job.cpp) makes it: N(0, I), or test images noised to the
// first step, in both cases the stream's first draw.
at::Tensor startState(const ParentSpec& spec, Sampler& sampler, NoiseSource& noise)
{
    auto& d = *spec.denoiser;
    if (spec.settings.start == QLatin1String("data")) {
        sampler.begin(d.schedule(), spec.settings.options);
        return forwardDiffusedStart(d, sampler, startDataset(d.info()), 0, spec.batch, noise);
    }
    return initialNoise(d, spec.batch, noise);
}

} // namespace

bool isPicardSampler(const QString& sampler) { return sampler.startsWith(QLatin1String("picard-")); }

RecordedParent replayParent(const ParentSpec& spec, const std::function<void(qint64, qint64)>& progress,
                            const StopToken& stop)
{
    require(spec.valid(), "fork: there is no reverse run to fork from");
    const auto& options = spec.settings.options;
    auto sampler = makeSampler(spec.settings.sampler.toStdString());
    requireCompatible(*sampler, *spec.denoiser);
    NoiseSource noise(spec.seed, spec.denoiser->device());
    const auto xT = startState(spec, *sampler, noise);

    auto run = std::make_shared<RecordedRun>();
    run->sampler = spec.settings.sampler.toStdString();
    run->options = options;
    run->seed = spec.seed;
    run->trajectory.append(spec.denoiser->schedule().steps(), xT.to(at::kCPU));
    run->drawsAfter.push_back(noise.draws());
    auto observer = [&](const StepEvent& e) { // what core's recordRun records, plus progress
        run->trajectory.appendAfterStep(e.t, e.x.to(at::kCPU), e.x0.defined() ? e.x0.to(at::kCPU) : e.x0);
        run->drawsAfter.push_back(noise.draws());
        if (progress)
            progress(e.step, e.steps);
        return true;
    };
    std::optional<PicardRecorder> recorder;
    RoundObserver rounds;
    if (isPicardSampler(spec.settings.sampler)) {
        recorder.emplace(options.steps, options.tolerance);
        rounds = [&, inner = recorder->observer()](const SolveRound& r) {
            if (progress)
                progress(r.accepted, options.steps);
            return inner(r);
        };
    }
    const auto result = runSampler(*sampler, *spec.denoiser, xT, options, noise, observer, &stop, rounds);
    require(!result.cancelled, "the replay was stopped after ", result.completedSteps, " steps");
    run->grid = sampler->grid();
    RecordedParent out;
    out.run = run;
    if (recorder)
        out.picard = std::make_shared<const PicardRecord>(recorder->record());
    return out;
}

UiRelay::UiRelay(QObject* context)
    : relay_(new QObject, [](QObject* o) { o->deleteLater(); }),
      guard_(std::make_shared<QPointer<QObject>>(context))
{
}

void UiRelay::call(std::function<void()> f) const
{
    auto guard = std::static_pointer_cast<QPointer<QObject>>(guard_);
    // The call holds the relay too: deleting an object drops the calls queued on it, and
    // QTest::qWait and event loops delete deferred objects at any moment.
    QMetaObject::invokeMethod(
        relay_.get(),
        [relay = relay_, guard, f = std::move(f)] {
            if (!guard->isNull()) // on the UI thread: the context cannot go away meanwhile
                f();
        },
        Qt::QueuedConnection);
}

void postReplayJob(EngineThread& engine, const ParentSpec& spec, QObject* context,
                   std::function<void(qint64, qint64)> progress, std::function<void(const ReplayOutcome&)> done,
                   StopToken stop)
{
    UiRelay relay(context);
    engine.post(
        [spec, relay, progress, done, stop] {
            ReplayOutcome outcome;
            try {
                auto report = [&](qint64 a, qint64 b) { relay.call([progress, a, b] { progress(a, b); }); };
                outcome.parent = replayParent(spec, report, stop);
            } catch (const std::exception& e) {
                outcome.cancelled = stop.stopRequested();
                outcome.error = QString::fromStdString(userMessage(e));
            }
            relay.call([done, outcome] { done(outcome); });
        },
        stop);
}

} // namespace ds
