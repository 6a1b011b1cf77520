#include "trajectory_runner.h"

#include "trajectory_document.h"
#include "widgets/engine/engine_thread.h"
#include "widgets/engine/forward_job.h"
#include "widgets/engine/job_channel.h"
#include "widgets/engine/model_session.h"
#include "widgets/engine/sampling_run.h"

#include "core/data/dataset.h"
#include "core/denoisers/denoiser.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

// The model's data set when this build can load it by name (toys and Fashion-MNIST).
std::string loadableDataset(const DenoiserInfo& info)
{
    const auto names = datasetNames();
    return std::find(names.begin(), names.end(), info.dataset) != names.end() ? info.dataset : std::string();
}

} // namespace

QString roundDetail(const RoundPacket& p)
{
    // Rounds so far over the fraction accepted: the solve's pace so far, extrapolated.
    const auto total = p.accepted > 0 ? QStringLiteral(" of ~%1").arg(qint64(std::ceil(double(p.round) * double(p.steps)
                                                                                          / double(p.accepted))))
                                      : QString();
    return QObject::tr("round %1%2 · window [%3, %4) · max residual %5 · %6/%7 accepted")
        .arg(p.round)
        .arg(total)
        .arg(p.windowBegin)
        .arg(p.windowEnd)
        .arg(p.maxResidual, 0, 'g', 3)
        .arg(p.accepted)
        .arg(p.steps);
}

TrajectoryRunner::TrajectoryRunner(ModelSession& model, TrajectoryDocument& document, QObject* parent)
    : QObject(parent), model_(model), document_(document), sampling_(new SamplingRun(int64_t(1) << 30, this)),
      latestEstimate_(std::make_shared<std::atomic<quint64>>(0))
{
    registerEngineMetaTypes();
    connectSampling();
}

TrajectoryRunner::~TrajectoryRunner() { forwardStop_.requestStop(); }

void TrajectoryRunner::setFrameBudget(int64_t bytes) { sampling_->setFrameBudget(bytes); }

bool TrajectoryRunner::running() const { return sampling_->running() || forwardRunning_; }

void TrajectoryRunner::connectSampling()
{
    connect(sampling_, &SamplingRun::frame, this, &TrajectoryRunner::onFrame);
    connect(sampling_, &SamplingRun::round, this, &TrajectoryRunner::onRound);
    connect(sampling_, &SamplingRun::progress, this, &TrajectoryRunner::progress);
    connect(sampling_, &SamplingRun::finished, this, &TrajectoryRunner::onFinished);
    connect(sampling_, &SamplingRun::failed, this, &TrajectoryRunner::onFailed);
}

void TrajectoryRunner::stopForward()
{
    forwardStop_.requestStop();
    forwardStop_ = StopToken();
    ++forwardTicket_;
    forwardRunning_ = false;
}

bool TrajectoryRunner::runReverse(const SamplerSettings& settings, int batch, uint64_t seed)
{
    auto denoiser = model_.denoiser();
    if (!denoiser) {
        Q_EMIT failed(tr("open a model first"));
        return false;
    }
    stopForward();
    const auto& info = denoiser->info();
    what_ = settings.label() + tr(" · seed %1").arg(seed);
    pending_ = std::make_unique<TrajectoryMeta>(
        TrajectoryMeta{TrajectoryDirection::Reverse, info.schedule, info.range, {}, what_});
    iterateShown_ = false;
    startedReverse_ = {denoiser, settings, batch, seed};
    finishedReverse_ = {};
    Q_EMIT started(tr("sampling: %1").arg(what_), settings.options.steps);
    return sampling_->start(model_.engine(), denoiser, settings, batch, seed);
}

void TrajectoryRunner::onFrame(const FramePacket& p)
{
    if (pending_) { // the run's first frame: now it replaces what was shown
        document_.reset(*pending_);
        pending_.reset();
        ++shown_;
    }
    if (iterateShown_ && p.step > 0) { // the solve is done: its steps replace the last iterate
        document_.replaceFrom(1, {}, {});
        iterateShown_ = false;
        ++shown_;
    }
    document_.append(p);
}

void TrajectoryRunner::onRound(const RoundPacket& p)
{
    Q_EMIT solveDetail(roundDetail(p));
    if (p.states.empty() || pending_ || document_.frameCount() == 0)
        return;
    document_.replaceFrom(1, p.t, p.states);
    iterateShown_ = true;
    ++shown_; // estimates asked for the previous iterate are stale
}

bool TrajectoryRunner::runForward(ForwardMode mode, int batch, uint64_t seed)
{
    auto denoiser = model_.denoiser();
    if (!denoiser) {
        Q_EMIT failed(tr("open a model first"));
        return false;
    }
    sampling_->abandon();
    pending_.reset();
    stopForward();
    startedReverse_ = finishedReverse_ = {};
    const auto& info = denoiser->info();
    const auto ticket = forwardTicket_;
    ForwardRequest request{info.schedule, info.range, loadableDataset(info), lastSamples_, batch, mode, seed, ticket};
    auto channel = makeJobChannel();
    const auto what = tr("forward %1 · seed %2").arg(QString::fromUtf8(name(mode).data(), int(name(mode).size()))).arg(seed);
    connect(channel.get(), &JobChannel::trajectoryReady, this, [this, ticket, what, info](const TrajectoryPacket& p) {
        if (ticket != forwardTicket_)
            return;
        forwardRunning_ = false;
        ++shown_;
        document_.setTrajectory(*p.trajectory, {TrajectoryDirection::Forward, info.schedule, info.range, p.x0, what});
        Q_EMIT finished(tr("%1: %2 frames").arg(what).arg(p.trajectory->size()));
    });
    connect(channel.get(), &JobChannel::progress, this, [this, ticket](qint64 done, qint64 total) {
        if (ticket == forwardTicket_)
            Q_EMIT progress(done, total);
    });
    connect(channel.get(), &JobChannel::failed, this, [this, ticket](const QString& message) {
        if (ticket != forwardTicket_)
            return;
        forwardRunning_ = false;
        Q_EMIT failed(message);
    });
    forwardRunning_ = true;
    Q_EMIT started(tr("forward process: %1").arg(what), info.schedule.T);
    postForwardJob(model_.engine(), request, channel, forwardStop_);
    return true;
}

void TrajectoryRunner::cancel()
{
    if (forwardRunning_) { // a forward run reports nothing when stopped: close it here
        stopForward();
        Q_EMIT finished(tr("cancelled"));
        return;
    }
    // A reverse run still reports how far it got (finished with cancelled = true), mid-solve too.
    sampling_->cancel();
}

void TrajectoryRunner::requestEstimate(int frame)
{
    auto denoiser = model_.denoiser();
    if (!denoiser || frame < 0 || frame >= document_.frameCount() || document_.hasX0(frame))
        return;
    latestEstimate_->store(++estimateTicket_);
    auto channel = makeJobChannel();
    const auto shown = shown_;
    connect(channel.get(), &JobChannel::estimateReady, this, [this, shown](const FramePacket& p) {
        if (shown == shown_) // the trajectory it belongs to is still the one shown
            document_.setEstimate(int(p.frame), p.x0);
    });
    EstimateRequest request{denoiser, document_.trajectory().frame(frame), document_.t(frame), frame,
                            estimateTicket_, latestEstimate_};
    postEstimateJob(model_.engine(), request, channel);
}

void TrajectoryRunner::onFinished(const RunSummary& s)
{
    pending_.reset();
    lastSummary_ = s;
    if (!s.cancelled)
        lastSamples_ = s.samples;
    finishedReverse_ = s.cancelled ? ParentSpec{} : startedReverse_;
    const auto text = tr("%1: %2 steps%3 · %4 network passes · %5 s")
                          .arg(what_)
                          .arg(s.completedSteps)
                          .arg(s.cancelled ? tr(" (cancelled)") : QString())
                          .arg(s.passes)
                          .arg(s.seconds, 0, 'f', 2);
    Q_EMIT finished(text);
}

void TrajectoryRunner::onFailed(const QString& message)
{
    pending_.reset(); // the frames on screen stay: a failed run never discards them
    Q_EMIT failed(message);
}

} // namespace ds
