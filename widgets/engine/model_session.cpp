#include "model_session.h"

#include "checkpoint_probe.h"
#include "engine_thread.h"
#include "job_channel.h"

#include "core/data/point_cloud_image.h"
#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/user_message.h"

#include <QFileInfo>

namespace ds {
namespace {

ModelSummary summarize(const Denoiser& d)
{
    const auto& info = d.info();
    ModelSummary s;
    s.source = QString::fromStdString(info.source);
    s.kind = QString::fromStdString(info.kind);
    s.schedule = QString::fromStdString(info.schedule.describe());
    s.shape = isPointShape(info.shape) ? QObject::tr("2-D points")
                     : QStringLiteral("%1×%2×%3").arg(info.shape[0]).arg(info.shape[1]).arg(info.shape[2]);
    s.range = QStringLiteral("[%1, %2]").arg(info.range.lo).arg(info.range.hi);
    s.dataset = QString::fromStdString(info.dataset);
    s.device = QString::fromStdString(d.device().str());
    return s;
}

bool isOracle(const QString& spec) { return spec.startsWith(QStringLiteral("oracle:")); }

} // namespace

ModelSession::ModelSession(EngineThread& engine, QObject* parent) : QObject(parent), engine_(engine)
{
    registerEngineMetaTypes();
}

ModelSession::~ModelSession() = default;

void ModelSession::open(const QString& spec)
{
    ++loading_;
    Q_EMIT loadingStarted(spec);
    auto channel = makeJobChannel();
    connect(channel.get(), &JobChannel::modelOpened, this, [this](const ModelPacket& p) {
        --loading_;
        adopt(p);
    });
    connect(channel.get(), &JobChannel::failed, this, [this, spec](const QString& message) {
        --loading_;
        Q_EMIT openFailed(spec, message);
    });
    const auto probe = isOracle(spec) ? QString() : probeProgram_;
    const auto device = device_.toStdString();
    engine_.post([channel, spec, probe, device] {
        try {
            if (!isOracle(spec) && !QFileInfo::exists(spec))
                throw Error(spec.toStdString() + ": no such file");
            if (auto problem = probeCheckpoint(spec, probe))
                throw Error(problem->toStdString());
            std::shared_ptr<Denoiser> d = openDenoiser(spec.toStdString(), parseDevice(device));
            Q_EMIT channel->modelOpened({d, summarize(*d)});
        } catch (const std::exception& e) { // ds::Error, c10::Error and plain std::exception alike
            Q_EMIT channel->failed(QString::fromStdString(ds::userMessage(e)));
        }
    });
}

void ModelSession::adopt(const ModelPacket& packet)
{
    denoiser_ = packet.denoiser;
    summary_ = packet.summary;
    Q_EMIT opened(summary_);
}

void ModelSession::setDevice(const QString& device)
{
    if (device == device_)
        return;
    device_ = device;
    if (!denoiser_) {
        Q_EMIT deviceChanged(device_);
        return;
    }
    auto channel = makeJobChannel();
    connect(channel.get(), &JobChannel::modelOpened, this, &ModelSession::adopt);
    connect(channel.get(), &JobChannel::failed, this, [this](const QString& message) {
        Q_EMIT openFailed(summary_.source, message);
    });
    connect(channel.get(), &JobChannel::modelOpened, this, [this] { Q_EMIT deviceChanged(device_); });
    auto d = denoiser_;
    engine_.post([channel, d, device] {
        try {
            d->to(parseDevice(device.toStdString()));
            Q_EMIT channel->modelOpened({d, summarize(*d)});
        } catch (const std::exception& e) {
            Q_EMIT channel->failed(QString::fromStdString(ds::userMessage(e)));
        }
    });
}

} // namespace ds
