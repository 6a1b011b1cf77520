#include "job_queue.h"

#include "models/error.h"

#include <filesystem>

namespace ds {

struct JobQueue::Entry {
    JobSnapshot snapshot;
    std::unique_ptr<TrainingJob> job;
    StopToken stop;
};

struct JobQueue::Worker {
    std::deque<int> pending;
    std::condition_variable wake;
    std::thread thread;
};

std::string_view name(JobState state)
{
    static constexpr std::string_view names[] = {"queued", "running", "finished", "cancelled", "failed"};
    return names[int(state)];
}

JobQueue::JobQueue(JobListener listener) : listener_(std::move(listener)) {}

JobQueue::~JobQueue()
{
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        for (auto& [id, entry] : entries_)
            entry->stop.requestStop();
        for (auto& [device, worker] : workers_)
            worker->wake.notify_all();
    }
    for (auto& [device, worker] : workers_)
        if (worker->thread.joinable())
            worker->thread.join();
}

int JobQueue::submit(TrainingJob job)
{
    std::lock_guard lock(mutex_);
    require(!closing_, "the job queue is shutting down");
    auto entry = std::make_shared<Entry>();
    const int id = nextId_++;
    const auto& config = job.config();
    entry->snapshot = {id, config.name, config.device, JobState::Queued, {}, "queued", {},
                       (std::filesystem::path(config.runDir()) / "loss.csv").string()};
    entry->snapshot.progress.step = job.step();
    entry->snapshot.progress.steps = config.steps;
    entry->job = std::make_unique<TrainingJob>(std::move(job));
    entries_[id] = entry;
    auto& worker = workers_[config.device];
    if (!worker) {
        worker = std::make_unique<Worker>();
        worker->thread = std::thread([this, w = worker.get()] { work(*w); });
    }
    worker->pending.push_back(id);
    worker->wake.notify_one();
    return id;
}

void JobQueue::cancel(int id)
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end())
        return;
    it->second->stop.requestStop();
}

std::vector<JobSnapshot> JobQueue::jobs() const
{
    std::lock_guard lock(mutex_);
    std::vector<JobSnapshot> out;
    for (const auto& [id, entry] : entries_)
        out.push_back(entry->snapshot);
    return out;
}

JobSnapshot JobQueue::job(int id) const
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    require(it != entries_.end(), "no job " + std::to_string(id));
    return it->second->snapshot;
}

void JobQueue::waitIdle()
{
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] {
        for (const auto& [id, entry] : entries_)
            if (entry->snapshot.state == JobState::Queued || entry->snapshot.state == JobState::Running)
                return false;
        return true;
    });
}

void JobQueue::update(int id, const std::function<void(JobSnapshot&)>& change)
{
    JobSnapshot copy;
    {
        std::lock_guard lock(mutex_);
        change(entries_.at(id)->snapshot);
        copy = entries_.at(id)->snapshot;
    }
    if (listener_.changed)
        listener_.changed(copy);
    idle_.notify_all();
}

void JobQueue::work(Worker& worker)
{
    for (;;) {
        std::shared_ptr<Entry> entry;
        {
            std::unique_lock lock(mutex_);
            worker.wake.wait(lock, [&] { return closing_ || !worker.pending.empty(); });
            if (worker.pending.empty())
                return; // closing
            entry = entries_.at(worker.pending.front());
            worker.pending.pop_front();
        }
        const int id = entry->snapshot.id;
        if (entry->stop.stopRequested()) { // cancelled while queued
            update(id, [](JobSnapshot& s) { s.state = JobState::Cancelled; s.message = "cancelled before it started"; });
            continue;
        }
        update(id, [](JobSnapshot& s) { s.state = JobState::Running; s.message = "running"; });
        TrainingCallbacks callbacks;
        callbacks.progress = [&](const TrainingProgress& p) {
            {
                std::lock_guard lock(mutex_);
                entry->snapshot.progress = p;
            }
            if (listener_.progress)
                listener_.progress(id, p);
        };
        if (listener_.preview)
            callbacks.preview = [&](int64_t step, const at::Tensor& x) { listener_.preview(id, step, x); };
        callbacks.checkpoint = [&](int64_t, const std::string& path) { update(id, [&](JobSnapshot& s) { s.checkpoint = path; }); };
        auto outcome = entry->job->run(callbacks, entry->stop);
        update(id, [&](JobSnapshot& s) {
            s.state = outcome.status == TrainingStatus::Finished ? JobState::Finished
                : outcome.status == TrainingStatus::Cancelled    ? JobState::Cancelled
                                                                 : JobState::Failed;
            s.message = outcome.message;
            s.checkpoint = outcome.checkpoint;
        });
    }
}

} // namespace ds
