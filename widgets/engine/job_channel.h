#pragma once
// The return path of one engine job: the job emits these signals from the engine thread and
// they arrive queued on the UI thread. The channel is shared between the job and its owner
// (see makeJobChannel), so whichever lets go last frees it, always on the UI thread.
#include "engine_messages.h"

#include <QObject>

#include <memory>

namespace ds {

class JobChannel : public QObject {
    Q_OBJECT
Q_SIGNALS:
    void frameReady(const ds::FramePacket& frame);
    void progress(qint64 done, qint64 total);
    void roundReady(const ds::RoundPacket& round);
    void finished(const ds::RunSummary& summary);
    void failed(const QString& message);
    void estimateReady(const ds::FramePacket& estimate);
    void trajectoryReady(const ds::TrajectoryPacket& trajectory);
    void modelOpened(const ds::ModelPacket& model);
};

// A channel living on the calling (UI) thread, deleted with deleteLater() when released.
std::shared_ptr<JobChannel> makeJobChannel();

} // namespace ds
