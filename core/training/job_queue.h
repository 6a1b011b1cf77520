#pragma once
// Runs training jobs one after another per device, each on a worker thread of that device,
// and keeps every job's state and log path. Qt-free: the GUI adapts the listener callbacks
// (called on worker threads) to signals.
#include "training_job.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ds {

enum class JobState { Queued, Running, Finished, Cancelled, Failed };
std::string_view name(JobState state);

struct JobSnapshot {
    int id = 0;
    std::string name;
    std::string device;
    JobState state = JobState::Queued;
    TrainingProgress progress;
    std::string message;
    std::string checkpoint; // last checkpoint written
    std::string logPath;    // loss per step, CSV
};

struct JobListener {
    std::function<void(int id, const TrainingProgress&)> progress;
    std::function<void(int id, int64_t step, const at::Tensor& samples)> preview;
    std::function<void(const JobSnapshot&)> changed; // state, checkpoint or message changed
};

class JobQueue {
public:
    explicit JobQueue(JobListener listener = {});
    ~JobQueue(); // cancels everything and joins the workers
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    int submit(TrainingJob job);
    // Queued jobs are dropped; a running job stops within a step and saves a checkpoint.
    void cancel(int id);
    std::vector<JobSnapshot> jobs() const;
    JobSnapshot job(int id) const;
    // Blocks until no job is queued or running.
    void waitIdle();

private:
    struct Entry;
    struct Worker;
    void work(Worker& worker);
    void update(int id, const std::function<void(JobSnapshot&)>& change);

    JobListener listener_;
    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::map<int, std::shared_ptr<Entry>> entries_;
    std::map<std::string, std::unique_ptr<Worker>> workers_; // one per device
    int nextId_ = 1;
    bool closing_ = false;
};

} // namespace ds
