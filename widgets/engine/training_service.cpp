#include "training_service.h"

#include "widgets/common/tensor_image.h"

#include "core/data/point_cloud_image.h"
#include "core/data/toy_datasets.h"
#include "models/error.h"
#include "core/user_message.h"

#include <QMetaObject>
#include <QTimer>

namespace ds {
namespace {

constexpr int kFlushMs = 100;

// Image batches are tiled, 2D points ([N, 2, 1, 1]) drawn as one scatter plot; anything else
// has no picture. (Points used to be refused here, so toy runs never showed a preview.)
QImage previewImage(const at::Tensor& samples, DataRange range)
{
    if (samples.dim() != 4 || !(samples.size(1) == 1 || samples.size(1) == 3 || isPointBatch(samples)))
        return {};
    return batchImage(samples, range);
}

} // namespace

TrainingService::TrainingService(QObject* parent) : QObject(parent), timer_(new QTimer(this))
{
    qRegisterMetaType<ds::JobSnapshot>();
    qRegisterMetaType<ds::TrainingProgress>();
    JobListener listener;
    listener.progress = [this](int id, const TrainingProgress& p) { // worker thread
        std::lock_guard lock(mutex_);
        auto& pending = pending_[id];
        pending.latest = p;
        pending.fresh = true;
        pending.points.push_back(QPointF(double(p.step), p.loss));
    };
    listener.changed = [this](const JobSnapshot& s) {
        QMetaObject::invokeMethod(this, [this, s] { flush(); Q_EMIT jobChanged(s); }, Qt::QueuedConnection);
    };
    listener.preview = [this](int id, int64_t step, const at::Tensor& samples) {
        DataRange range;
        {
            std::lock_guard lock(infoMutex_);
            range = info_[id].range;
        }
        auto image = previewImage(samples, range);
        if (!image.isNull())
            QMetaObject::invokeMethod(this, [this, id, step, image] { Q_EMIT previewReady(id, int(step), image); },
                                      Qt::QueuedConnection);
    };
    queue_ = std::make_unique<JobQueue>(listener);
    connect(timer_, &QTimer::timeout, this, &TrainingService::flush);
    timer_->start(kFlushMs);
}

TrainingService::~TrainingService()
{
    timer_->stop();
    queue_.reset(); // cancels running jobs (each saves a checkpoint) and joins the workers
}

void TrainingService::flush()
{
    std::map<int, Pending> drained;
    {
        std::lock_guard lock(mutex_);
        drained.swap(pending_);
    }
    for (auto& [id, p] : drained) {
        if (!p.points.isEmpty())
            Q_EMIT lossPoints(id, p.points);
        if (p.fresh)
            Q_EMIT progressed(id, p.latest);
    }
}

// Image data sets are mapped to [−1, 1]; pixel-aware runs use [ε, 1] (seed 002).
TrainingService::JobInfo TrainingService::infoOf(const TrainingConfig& config)
{
    JobInfo info;
    info.range = config.schedule.kind == ScheduleKind::PixelAware ? DataRange{config.schedule.epsilon, 1.0} : DataRange{-1, 1};
    info.points = isToyDataset(config.dataset);
    info.previewEvery = config.previewEvery;
    return info;
}

int TrainingService::submit(TrainingJob job)
{
    const auto info = infoOf(job.config());
    std::lock_guard lock(infoMutex_); // held across submit: the first preview waits for the entry
    const int id = queue_->submit(std::move(job));
    info_[id] = info;
    return id;
}

QString TrainingService::sampleUnit(int id) const
{
    std::lock_guard lock(infoMutex_);
    const auto it = info_.find(id);
    return it != info_.end() && it->second.points ? QStringLiteral("points") : QStringLiteral("img");
}

int64_t TrainingService::previewEvery(int id) const
{
    std::lock_guard lock(infoMutex_);
    const auto it = info_.find(id);
    return it == info_.end() ? 0 : it->second.previewEvery;
}

int TrainingService::start(const TrainingConfig& config, QString* error)
{
    try {
        return submit(TrainingJob(config));
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(ds::userMessage(e));
        return -1;
    }
}

int TrainingService::resume(const QString& checkpoint, int64_t steps, QString* error)
{
    try {
        return submit(TrainingJob::resume(checkpoint.toStdString(), steps));
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(ds::userMessage(e));
        return -1;
    }
}

void TrainingService::cancel(int id) { queue_->cancel(id); }

} // namespace ds
