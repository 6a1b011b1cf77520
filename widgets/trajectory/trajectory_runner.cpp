#include "trajectory_runner.h"

#include "trajectory_document.h"
#include "widgets/engine/engine_thread.h"
#include "widgets/engine/forward_job.h"
#include "widgets/engine/job_channel.h"
#include "widgets/engine/model_session.h"
#include "widgets/engine/sampling_job.h"

#include "core/data/dataset.h"
#include "core/denoisers/denoiser.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace ds {
namespace {

// The model's data set when this build can load it by name (toys and Fashion-MNIST).
std::string loadableDataset(const DenoiserInfo& info)
{
    const auto names = datasetNames();
    return std::find(names.begin(), names.end(), info.dataset) != names.end() ? info.dataset : std::string();
}

} // namespace

TrajectoryRunner::TrajectoryRunner(ModelSession& model, TrajectoryDocument& document, QObject* parent)
    : QObject(parent), model_(model), document_(document), latestEstimate_(std::make_shared<std::atomic<quint64>>(0))
{
    registerEngineMetaTypes();
}

TrajectoryRunner::~TrajectoryRunner() { stop_.requestStop(); }

std::shared_ptr<JobChannel> TrajectoryRunner::newRun()
{
    stop_.requestStop(); // the previous run, if any, ends at its next step
    stop_ = StopToken();
    ++ticket_;
    running_ = true;
    auto channel = makeJobChannel();
    const auto ticket = ticket_;
    connect(channel.get(), &JobChannel::progress, this, [this, ticket](qint64 done, qint64 total) {
        if (ticket == ticket_)
            Q_EMIT progress(done, total);
    });
    connect(channel.get(), &JobChannel::failed, this, [this, ticket](const QString& message) {
        if (ticket == ticket_)
            onFailed(message);
    });
    return channel;
}

bool TrajectoryRunner::runReverse(const SamplerSettings& settings, int batch, uint64_t seed)
{
    auto denoiser = model_.denoiser();
    if (!denoiser) {
        Q_EMIT failed(tr("open a model first"));
        return false;
    }
    const auto& info = denoiser->info();
    auto channel = newRun();
    const auto ticket = ticket_;
    const auto what = settings.label() + tr(" · seed %1").arg(seed);
    document_.reset({TrajectoryDirection::Reverse, info.schedule, info.range, {}, what});
    connect(channel.get(), &JobChannel::frameReady, this, [this, ticket](const FramePacket& p) {
        if (ticket == ticket_)
            document_.append(p);
    });
    connect(channel.get(), &JobChannel::finished, this, [this, ticket, what](const RunSummary& s) {
        if (ticket == ticket_)
            onFinished(s, what);
    });
    SamplingRequest request{denoiser, settings, batch, seed, 0, ticket};
    const int64_t elements = int64_t(batch) * info.shape[0] * info.shape[1] * info.shape[2];
    request.maxFrames = frameBudget(settings.steps, elements, frameBudget_);
    Q_EMIT started(tr("sampling: %1").arg(what), settings.steps);
    postSamplingJob(model_.engine(), request, channel, stop_);
    return true;
}

bool TrajectoryRunner::runForward(ForwardMode mode, int batch, uint64_t seed)
{
    auto denoiser = model_.denoiser();
    if (!denoiser) {
        Q_EMIT failed(tr("open a model first"));
        return false;
    }
    const auto& info = denoiser->info();
    ForwardRequest request{info.schedule, info.range, loadableDataset(info), lastSamples_, batch, mode, seed, 0};
    auto channel = newRun();
    request.ticket = ticket_;
    const auto ticket = ticket_;
    const auto what = tr("forward %1 · seed %2").arg(QString::fromUtf8(name(mode).data(), int(name(mode).size()))).arg(seed);
    connect(channel.get(), &JobChannel::trajectoryReady, this, [this, ticket, what, info](const TrajectoryPacket& p) {
        if (ticket != ticket_)
            return;
        running_ = false;
        document_.setTrajectory(*p.trajectory, {TrajectoryDirection::Forward, info.schedule, info.range, p.x0, what});
        Q_EMIT finished(tr("%1: %2 frames").arg(what).arg(p.trajectory->size()));
    });
    Q_EMIT started(tr("forward process: %1").arg(what), info.schedule.T);
    postForwardJob(model_.engine(), request, channel, stop_);
    return true;
}

void TrajectoryRunner::cancel()
{
    if (!running_)
        return;
    stop_.requestStop();
    // A reverse run still reports how far it got (finished with cancelled = true); a forward
    // run reports nothing, so close it here.
    if (document_.meta().direction == TrajectoryDirection::Forward || document_.frameCount() == 0) {
        running_ = false;
        ++ticket_;
        Q_EMIT finished(tr("cancelled"));
    }
}

void TrajectoryRunner::requestEstimate(int frame)
{
    auto denoiser = model_.denoiser();
    if (!denoiser || frame < 0 || frame >= document_.frameCount() || document_.hasX0(frame))
        return;
    latestEstimate_->store(++estimateTicket_);
    auto channel = makeJobChannel();
    const auto run = ticket_;
    connect(channel.get(), &JobChannel::estimateReady, this, [this, run](const FramePacket& p) {
        if (run == ticket_) // the trajectory it belongs to is still the one shown
            document_.setEstimate(int(p.frame), p.x0);
    });
    EstimateRequest request{denoiser, document_.trajectory().frame(frame), document_.t(frame), frame,
                            estimateTicket_, latestEstimate_};
    postEstimateJob(model_.engine(), request, channel);
}

void TrajectoryRunner::onFinished(const RunSummary& s, const QString& what)
{
    running_ = false;
    lastSummary_ = s;
    if (!s.cancelled)
        lastSamples_ = s.samples;
    const auto text = tr("%1: %2 steps%3 · %4 network passes · %5 s")
                          .arg(what)
                          .arg(s.completedSteps)
                          .arg(s.cancelled ? tr(" (cancelled)") : QString())
                          .arg(s.passes)
                          .arg(s.seconds, 0, 'f', 2);
    Q_EMIT finished(text);
}

void TrajectoryRunner::onFailed(const QString& message)
{
    running_ = false;
    Q_EMIT failed(message);
}

} // namespace ds
