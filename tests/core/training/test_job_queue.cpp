// The job queue: jobs on one device run one after another; cancel stops queued and running
// jobs; listeners see every state change.
#include "core/training/job_queue.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"
#include "tests/support/toy_training.h"

#include <QFile>
#include <QTemporaryDir>

#include <mutex>
#include <set>
#include <chrono>
#include <thread>

using namespace ds;

namespace {

TrainingConfig tiny(const QTemporaryDir& dir, const std::string& name, int64_t steps)
{
    return test::tinyToyRun(dir.path().toStdString(), name, steps, "8-gaussians");
}

} // namespace

class JobQueueTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void jobsRunOneAfterAnother()
    {
        std::set<int> running; // ids seen running and not yet ended
        size_t maxRunning = 0;
        std::mutex m;
        JobListener listener;
        listener.changed = [&](const JobSnapshot& s) { // also called for checkpoint updates
            std::lock_guard lock(m);
            if (s.state == JobState::Running)
                running.insert(s.id);
            else
                running.erase(s.id);
            maxRunning = std::max(maxRunning, running.size());
        };
        JobQueue queue(listener);
        const int a = queue.submit(TrainingJob(tiny(dir_, "a", 30)));
        const int b = queue.submit(TrainingJob(tiny(dir_, "b", 30)));
        queue.waitIdle();
        QCOMPARE(int(queue.job(a).state), int(JobState::Finished));
        QCOMPARE(int(queue.job(b).state), int(JobState::Finished));
        QCOMPARE(maxRunning, size_t(1));
        QCOMPARE(queue.job(b).progress.step, 30);
        QVERIFY(!queue.job(a).checkpoint.empty());
        QVERIFY(QFile::exists(QString::fromStdString(queue.job(a).logPath)));
    }

    void cancelStopsRunningAndQueuedJobs()
    {
        JobQueue queue;
        const int running = queue.submit(TrainingJob(tiny(dir_, "long", 10000000)));
        const int queued = queue.submit(TrainingJob(tiny(dir_, "next", 10)));
        while (queue.job(running).progress.step < 3)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        queue.cancel(queued);
        queue.cancel(running);
        queue.waitIdle();
        QCOMPARE(int(queue.job(running).state), int(JobState::Cancelled));
        QCOMPARE(int(queue.job(queued).state), int(JobState::Cancelled));
        QVERIFY(!queue.job(running).checkpoint.empty()); // cancel saved the work
    }

    void failuresCarryTheMessage()
    {
        JobQueue queue;
        auto config = tiny(dir_, "bad", 10);
        config.dataset = "no-such-set";
        const int id = queue.submit(TrainingJob(config));
        queue.waitIdle();
        QCOMPARE(int(queue.job(id).state), int(JobState::Failed));
        QVERIFY(queue.job(id).message.find("no-such-set") != std::string::npos);
    }
};

DS_TEST_SUITE(JobQueueTest, "job_queue");
#include "test_job_queue.moc"
