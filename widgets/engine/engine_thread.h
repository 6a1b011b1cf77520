#pragma once
// The one thread that runs engine jobs touching the denoiser (sampling, x̂0 estimates, device
// moves). Jobs run one at a time in the order posted, so the denoiser and its usage counters
// are never shared between threads (a group of sampling runs has threads of its own while its
// job runs, and BatchedCalls lets one of them at a time call the model). Each job runs under c10::NoGradGuard (thread-local, so it
// is opened here, inside the worker) and any exception it lets out is caught and reported.
#include "core/stop_token.h"

#include <QString>
#include <QThread>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace ds {

class EngineThread : public QThread {
    Q_OBJECT
public:
    using Job = std::function<void()>;

    explicit EngineThread(QObject* parent = nullptr);
    ~EngineThread() override; // calls shutdown()

    // Queues `job`. `stop` is requested by shutdown() so a running job ends early.
    void post(Job job, StopToken stop = {});
    // Stops the running job's token, drops queued jobs and joins the thread.
    void shutdown();
    // Jobs queued or running.
    int pending() const;

Q_SIGNALS:
    // A job threw: `message` is the exception's text (ds::Error messages are written for users).
    void jobFailed(const QString& message);

protected:
    void run() override;

private:
    struct Entry {
        Job job;
        StopToken stop;
    };
    bool next(Entry& entry);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Entry> queue_;
    StopToken running_;
    bool busy_ = false;
    bool quitting_ = false;
};

} // namespace ds
