#pragma once
// The GUI's adapter over core's JobQueue: training jobs run on the queue's worker threads;
// progress, loss points, previews and state changes reach the UI thread as signals carrying
// values. 2D point data sets preview as scatter plots (ds::batchImage). Progress is coalesced (at most every 100 ms per job), so a fast toy run does not
// flood the event loop; every step's loss still arrives, in batches.
#include "core/training/job_queue.h"

#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QPointF>
#include <QVector>

#include <map>
#include <memory>
#include <mutex>

class QTimer;

namespace ds {

class TrainingService : public QObject {
    Q_OBJECT
public:
    explicit TrainingService(QObject* parent = nullptr);
    ~TrainingService() override;

    // Validates and queues a run; returns the job id, or −1 with `error` set (config or file).
    int start(const TrainingConfig& config, QString* error = nullptr);
    // Continues a resumable checkpoint to `steps` in total (0: its own total).
    int resume(const QString& checkpoint, int64_t steps, QString* error = nullptr);
    void cancel(int id);
    std::vector<JobSnapshot> jobs() const { return queue_->jobs(); }
    JobSnapshot job(int id) const { return queue_->job(id); }
    // What one training example of a job is, for rates: "points" (2D toy sets) or "img".
    QString sampleUnit(int id) const;
    // Steps between the job's preview grids (0: none).
    int64_t previewEvery(int id) const;

Q_SIGNALS:
    void jobChanged(const ds::JobSnapshot& snapshot);
    void progressed(int id, const ds::TrainingProgress& progress);
    void lossPoints(int id, const QVector<QPointF>& points); // (step, loss), in order
    void previewReady(int id, int step, const QImage& grid);

private:
    void flush();
    int submit(TrainingJob job);

    struct Pending {
        TrainingProgress latest;
        bool fresh = false;
        QVector<QPointF> points;
    };
    std::mutex mutex_;
    std::map<int, Pending> pending_; // filled on worker threads, drained by the timer
    struct JobInfo {
        DataRange range;       // data range of the job's previews
        bool points = false;   // 2D point data: previews are scatter plots, rates count points
        int64_t previewEvery = 0;
    };
    static JobInfo infoOf(const TrainingConfig& config);
    mutable std::mutex infoMutex_;
    std::map<int, JobInfo> info_; // written on the UI thread, read by the listener on workers
    QTimer* timer_;
    std::unique_ptr<JobQueue> queue_; // last: its workers stop before the rest goes
};

} // namespace ds

Q_DECLARE_METATYPE(ds::JobSnapshot)
Q_DECLARE_METATYPE(ds::TrainingProgress)
