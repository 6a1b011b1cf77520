#include "engine_thread.h"

#include "core/user_message.h"

#include <c10/core/GradMode.h>

#include <exception>

namespace ds {

EngineThread::EngineThread(QObject* parent) : QThread(parent)
{
    setObjectName("diffscope-engine");
    start();
}

EngineThread::~EngineThread() { shutdown(); }

void EngineThread::post(Job job, StopToken stop)
{
    {
        std::lock_guard lock(mutex_);
        if (quitting_)
            return;
        queue_.push_back({std::move(job), std::move(stop)});
    }
    wake_.notify_one();
}

void EngineThread::shutdown()
{
    {
        std::lock_guard lock(mutex_);
        quitting_ = true;
        for (auto& e : queue_)
            e.stop.requestStop();
        queue_.clear();
        if (busy_)
            running_.requestStop();
    }
    wake_.notify_all();
    wait();
}

int EngineThread::pending() const
{
    std::lock_guard lock(mutex_);
    return int(queue_.size()) + (busy_ ? 1 : 0);
}

bool EngineThread::next(Entry& entry)
{
    std::unique_lock lock(mutex_);
    busy_ = false;
    wake_.wait(lock, [this] { return quitting_ || !queue_.empty(); });
    if (quitting_)
        return false;
    entry = std::move(queue_.front());
    queue_.pop_front();
    running_ = entry.stop;
    busy_ = true;
    return true;
}

void EngineThread::run()
{
    Entry entry;
    while (next(entry)) {
        try {
            c10::NoGradGuard noGrad; // thread-local: must be opened on this thread
            entry.job();
        } catch (const std::exception& e) { // c10::Error and ds::Error both derive from it
            Q_EMIT jobFailed(QString::fromStdString(ds::userMessage(e)));
        } catch (...) {
            Q_EMIT jobFailed(QStringLiteral("an engine job failed with an unknown error"));
        }
        entry = {};
    }
}

} // namespace ds
