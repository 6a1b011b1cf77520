#include "sampling_run.h"

#include "job_channel.h"
#include "sampling_job.h"

#include "core/denoisers/denoiser.h"

namespace ds {

QString samplerMismatch(const QString& sampler, const Denoiser& model)
{
    const auto fits = samplersFor(model);
    if (fits.contains(sampler))
        return {};
    const auto role = name(model.info().role);
    const auto kind = model.schedule().perPixel() ? QObject::tr("per-pixel schedule")
                                                  : QString::fromUtf8(role.data(), qsizetype(role.size()));
    return QObject::tr("%1 cannot drive this model (%2): choose %3 in Sampler")
        .arg(sampler, kind, fits.size() == 1 ? fits.first() : QObject::tr("one of %1").arg(fits.join(", ")));
}

SamplingRun::SamplingRun(int64_t frameBudgetBytes, QObject* parent) : QObject(parent), frameBudget_(frameBudgetBytes)
{
    registerEngineMetaTypes();
}

SamplingRun::~SamplingRun() { stop_.requestStop(); }

bool SamplingRun::start(EngineThread& engine, std::shared_ptr<Denoiser> denoiser, const SamplerSettings& settings,
                        int batch, uint64_t seed)
{
    auto member = prepare(std::move(denoiser), settings, batch, seed);
    if (member)
        postSamplingJob(engine, member->request, member->channel, member->stop);
    return bool(member);
}

std::optional<SamplingMember> SamplingRun::prepare(std::shared_ptr<Denoiser> denoiser, const SamplerSettings& settings,
                                                   int batch, uint64_t seed)
{
    abandon();
    if (const auto problem = samplerMismatch(settings.sampler, *denoiser); !problem.isEmpty()) {
        Q_EMIT failed(problem);
        return std::nullopt;
    }
    const auto ticket = ticket_;
    running_ = true;
    auto channel = makeJobChannel();
    auto mine = [this, ticket] { return ticket == ticket_; }; // packets of a replaced run are dropped
    connect(channel.get(), &JobChannel::frameReady, this, [this, mine](const FramePacket& p) {
        if (mine())
            Q_EMIT frame(p);
    });
    connect(channel.get(), &JobChannel::roundReady, this, [this, mine](const RoundPacket& p) {
        if (!mine())
            return;
        Q_EMIT round(p);
        Q_EMIT progress(p.accepted, p.steps);
    });
    connect(channel.get(), &JobChannel::progress, this, [this, mine](qint64 done, qint64 total) {
        if (mine())
            Q_EMIT progress(done, total);
    });
    connect(channel.get(), &JobChannel::finished, this, [this, mine](const RunSummary& s) {
        if (!mine())
            return;
        running_ = false;
        Q_EMIT finished(s);
    });
    connect(channel.get(), &JobChannel::failed, this, [this, mine](const QString& message) {
        if (!mine())
            return;
        running_ = false;
        Q_EMIT failed(message);
    });
    const auto& shape = denoiser->info().shape;
    SamplingRequest request;
    request.denoiser = denoiser;
    request.settings = settings;
    request.batch = batch;
    request.seed = seed;
    request.ticket = ticket;
    request.maxFrames = ds::frameBudget(settings.options.steps, int64_t(batch) * shape[0] * shape[1] * shape[2],
                                        frameBudget_);
    request.sharedNoisePath = sharedNoisePath_;
    log_ = std::make_shared<SamplingLog>();
    request.log = log_;
    return SamplingMember{request, channel, stop_};
}

void SamplingRun::cancel()
{
    if (running_)
        stop_.requestStop();
}

void SamplingRun::abandon()
{
    stop_.requestStop();
    stop_ = StopToken();
    ++ticket_;
    running_ = false;
}

} // namespace ds
