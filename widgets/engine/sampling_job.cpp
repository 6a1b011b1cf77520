#include "sampling_job.h"

#include "engine_thread.h"
#include "job_channel.h"

#include "core/brownian_noise.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/start_state.h"
#include "core/user_message.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <chrono>

namespace ds {
namespace {

at::Tensor cpuCopy(const at::Tensor& t) { return t.defined() ? t.detach().to(at::kCPU, at::kFloat, false, true) : t; }

// Picard's rounds: residuals every round, the iterate's states at most every
// kIterateIntervalMs (and for the last round), strided like the frames.
constexpr qint64 kIterateIntervalMs = 100;

RoundObserver roundObserver(const SamplingRequest& r, const Sampler& sampler, int64_t stride, JobChannel& channel)
{
    auto lastSent = std::make_shared<std::chrono::steady_clock::time_point>();
    return [&r, &sampler, stride, &channel, lastSent](const SolveRound& round) {
        RoundPacket p;
        p.ticket = r.ticket;
        p.round = round.round;
        p.steps = sampler.stepCount();
        p.windowBegin = round.windowBegin;
        p.windowEnd = round.windowEnd;
        p.accepted = round.accepted;
        for (double v : round.residuals)
            p.maxResidual = std::max(p.maxResidual, v);
        const auto now = std::chrono::steady_clock::now();
        const bool last = round.accepted >= p.steps;
        if (round.states && (last || now - *lastSent >= std::chrono::milliseconds(kIterateIntervalMs))) {
            *lastSent = now;
            const auto& states = *round.states;
            for (int64_t i = 1; i < int64_t(states.size()); ++i)
                if (i % stride == 0 || i + 1 == int64_t(states.size())) {
                    p.t.push_back(sampler.nextIndex(i - 1) + 1);
                    p.states.push_back(cpuCopy(states[size_t(i)]));
                }
        }
        Q_EMIT channel.roundReady(p);
        return true;
    };
}

// Runs on the engine thread, or on a group member's thread with `denoiser` its member (the
// request's model answers through it). `groupStop` (shutdown) ends the run after its next step.
void runSampling(const SamplingRequest& r, Denoiser& denoiser, JobChannel& channel, const StopToken& stop,
                 const StopToken* groupStop = nullptr)
{
    auto sampler = makeSampler(r.settings.sampler.toStdString());
    const auto& options = r.settings.options;
    requireCompatible(*sampler, denoiser);
    NoiseSource noise(r.seed, denoiser.device());
    at::Tensor xT;
    if (r.settings.start == QLatin1String("data")) { // test images noised to the first step
        sampler->begin(denoiser.schedule(), options);
        xT = forwardDiffusedStart(denoiser, *sampler, startDataset(denoiser.info()), 0, r.batch, noise);
    } else {
        xT = initialNoise(denoiser, r.batch, noise);
    }
    const int64_t T = denoiser.schedule().steps();
    const int64_t stride = r.maxFrames > 0 ? std::max<int64_t>(1, (options.steps + r.maxFrames - 1) / r.maxFrames) : 1;
    if (r.sharedNoisePath) // after x_T: the start stays the seed's first draw in every pane
        noise.usePath(std::make_shared<BrownianPath>(r.seed));
    const int64_t passesBefore = denoiser.usage().passes, drawsBefore = noise.draws();
    if (r.log)
        r.log->addFramePasses(0);
    Q_EMIT channel.frameReady({r.ticket, -1, 0, options.steps, T, cpuCopy(xT), {}});
    auto observer = [&](const StepEvent& e) {
        if (e.step % stride == 0 || e.step == e.steps) {
            if (r.log)
                r.log->addFramePasses(denoiser.usage().passes - passesBefore);
            Q_EMIT channel.frameReady({r.ticket, -1, e.step, e.steps, e.t, cpuCopy(e.x), cpuCopy(e.x0)});
        }
        Q_EMIT channel.progress(e.step, e.steps);
        return !(groupStop && groupStop->stopRequested());
    };
    auto run = runSampler(*sampler, denoiser, xT, options, noise, observer, &stop,
                          roundObserver(r, *sampler, stride, channel));
    if (r.log)
        r.log->setNoise({r.sharedNoisePath, noise.pathDraws(), noise.offPathDraws(),
                         noise.draws() - drawsBefore - noise.pathDraws() - noise.offPathDraws(), true});
    RunSummary summary;
    summary.ticket = r.ticket;
    summary.cancelled = run.cancelled;
    summary.completedSteps = run.completedSteps;
    summary.passes = run.usage.passes;
    summary.rounds = run.rounds;
    summary.seconds = run.seconds;
    summary.netSeconds = run.usage.seconds; // in a group: also the wait for the others' rows
    summary.samples = cpuCopy(run.x);
    Q_EMIT channel.finished(summary);
}

// Each member on its own thread (BatchedCalls): thread-local state such as NoGradGuard is
// opened there, and a member's failure goes to its own channel, so runTogether never throws
// for it and the others go on.
void runGroup(const std::vector<SamplingMember>& members, const StopToken& groupStop, SamplingGroupLog* log)
{
    BatchedCalls calls(members.front().request.denoiser);
    std::vector<std::function<void(Denoiser&)>> runs;
    for (const auto& m : members) {
        if (m.request.log)
            m.request.log->setGroupSize(int(members.size()));
        runs.push_back([&m, &groupStop](Denoiser& member) {
            try {
                c10::NoGradGuard noGrad;
                runSampling(m.request, member, *m.channel, m.stop, &groupStop);
            } catch (const std::exception& e) {
                Q_EMIT m.channel->failed(QString::fromStdString(ds::userMessage(e)));
            }
        });
    }
    calls.runTogether(runs);
    if (log)
        log->finish(calls.stats());
}

} // namespace

bool canShareCalls(const QString& sampler, const Denoiser& model)
{
    if (model.info().role != ModelRole::Denoiser || !samplersFor(model).contains(sampler))
        return false; // an unknown or unfitting sampler: the ordinary path says why
    const auto made = makeSampler(sampler.toStdString());
    return made->role() == ModelRole::Denoiser && !dynamic_cast<const WholeChainSampler*>(made.get());
}

void postSamplingGroup(EngineThread& engine, std::vector<SamplingMember> members, std::shared_ptr<SamplingGroupLog> log)
{
    if (members.empty())
        return;
    if (members.size() == 1) {
        const auto& m = members.front();
        postSamplingJob(engine, m.request, m.channel, m.stop);
        return;
    }
    for (const auto& m : members)
        Q_ASSERT(m.request.denoiser == members.front().request.denoiser);
    StopToken groupStop; // requested by EngineThread::shutdown
    engine.post([members = std::move(members), groupStop, log] { runGroup(members, groupStop, log.get()); }, groupStop);
}

void postSamplingJob(EngineThread& engine, const SamplingRequest& request, std::shared_ptr<JobChannel> channel,
                     StopToken stop)
{
    engine.post(
        [request, channel, stop] {
            try {
                runSampling(request, *request.denoiser, *channel, stop);
            } catch (const std::exception& e) {
                Q_EMIT channel->failed(QString::fromStdString(ds::userMessage(e)));
            }
        },
        stop);
}

void SamplingLog::addFramePasses(int64_t passes)
{
    const std::lock_guard lock(mutex_);
    passes_.push_back(passes);
}

int64_t SamplingLog::framePasses(int64_t frame) const
{
    const std::lock_guard lock(mutex_);
    return frame >= 0 && frame < int64_t(passes_.size()) ? passes_[size_t(frame)] : -1;
}

void SamplingLog::setNoise(const Noise& noise)
{
    const std::lock_guard lock(mutex_);
    noise_ = noise;
}

SamplingLog::Noise SamplingLog::noise() const
{
    const std::lock_guard lock(mutex_);
    return noise_;
}

void SamplingLog::setGroupSize(int runs)
{
    const std::lock_guard lock(mutex_);
    groupSize_ = runs;
}

int SamplingLog::groupSize() const
{
    const std::lock_guard lock(mutex_);
    return groupSize_;
}

void SamplingGroupLog::finish(const BatchedCallStats& stats)
{
    const std::lock_guard lock(mutex_);
    stats_ = stats;
    done_ = true;
}

BatchedCallStats SamplingGroupLog::stats() const
{
    const std::lock_guard lock(mutex_);
    return stats_;
}

bool SamplingGroupLog::done() const
{
    const std::lock_guard lock(mutex_);
    return done_;
}

int64_t frameBudget(int64_t steps, int64_t elementsPerFrame, int64_t budgetBytes)
{
    const int64_t perFrame = std::max<int64_t>(1, elementsPerFrame * 2 * 2); // float16, x_t and x̂0
    const int64_t fit = std::max<int64_t>(2, budgetBytes / perFrame);
    return steps + 1 <= fit ? 0 : fit;
}

} // namespace ds
