#include "sampling_job.h"

#include "engine_thread.h"
#include "job_channel.h"

#include "core/brownian_noise.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/start_state.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

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

// Runs on the engine thread.
void runSampling(const SamplingRequest& r, JobChannel& channel, const StopToken& stop)
{
    auto sampler = makeSampler(r.settings.sampler.toStdString());
    const auto& options = r.settings.options;
    requireCompatible(*sampler, *r.denoiser);
    NoiseSource noise(r.seed, r.denoiser->device());
    at::Tensor xT;
    if (r.settings.start == QLatin1String("data")) { // test images noised to the first step
        sampler->begin(r.denoiser->schedule(), options);
        xT = forwardDiffusedStart(*r.denoiser, *sampler, startDataset(r.denoiser->info()), 0, r.batch, noise);
    } else {
        xT = initialNoise(*r.denoiser, r.batch, noise);
    }
    const int64_t T = r.denoiser->schedule().steps();
    const int64_t stride = r.maxFrames > 0 ? std::max<int64_t>(1, (options.steps + r.maxFrames - 1) / r.maxFrames) : 1;
    if (r.sharedNoisePath) // after x_T: the start stays the seed's first draw in every pane
        noise.usePath(std::make_shared<BrownianPath>(r.seed));
    const int64_t passesBefore = r.denoiser->usage().passes, drawsBefore = noise.draws();
    if (r.log)
        r.log->addFramePasses(0);
    Q_EMIT channel.frameReady({r.ticket, -1, 0, options.steps, T, cpuCopy(xT), {}});
    auto observer = [&](const StepEvent& e) {
        if (e.step % stride == 0 || e.step == e.steps) {
            if (r.log)
                r.log->addFramePasses(r.denoiser->usage().passes - passesBefore);
            Q_EMIT channel.frameReady({r.ticket, -1, e.step, e.steps, e.t, cpuCopy(e.x), cpuCopy(e.x0)});
        }
        Q_EMIT channel.progress(e.step, e.steps);
        return true;
    };
    auto run = runSampler(*sampler, *r.denoiser, xT, options, noise, observer, &stop,
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
    summary.netSeconds = run.usage.seconds;
    summary.samples = cpuCopy(run.x);
    Q_EMIT channel.finished(summary);
}

} // namespace

void postSamplingJob(EngineThread& engine, const SamplingRequest& request, std::shared_ptr<JobChannel> channel,
                     StopToken stop)
{
    engine.post(
        [request, channel, stop] {
            try {
                runSampling(request, *channel, stop);
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

int64_t frameBudget(int64_t steps, int64_t elementsPerFrame, int64_t budgetBytes)
{
    const int64_t perFrame = std::max<int64_t>(1, elementsPerFrame * 2 * 2); // float16, x_t and x̂0
    const int64_t fit = std::max<int64_t>(2, budgetBytes / perFrame);
    return steps + 1 <= fit ? 0 : fit;
}

} // namespace ds
