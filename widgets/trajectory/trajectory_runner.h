#pragma once
// Starts and cancels the jobs that fill a TrajectoryDocument: a reverse run (frames stream in
// as the sampler computes them), a forward run (delivered whole), and x̂0 estimates for the
// forward frame on screen. Every run has a ticket; packets of an older run are dropped, so the
// newest request always wins.
#include "widgets/common/sampler_settings.h"
#include "widgets/engine/engine_messages.h"

#include "core/forward_process.h"
#include "core/stop_token.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace ds {

class JobChannel;
class ModelSession;
class TrajectoryDocument;

class TrajectoryRunner : public QObject {
    Q_OBJECT
public:
    TrajectoryRunner(ModelSession& model, TrajectoryDocument& document, QObject* parent = nullptr);
    ~TrajectoryRunner() override;

    // Noise → data with the open model. Returns false (and emits failed) without a model.
    bool runReverse(const SamplerSettings& settings, int batch, uint64_t seed);
    // Data → noise under the model's schedule, for a batch of its data set (or the last samples).
    bool runForward(ForwardMode mode, int batch, uint64_t seed);
    void cancel();
    bool running() const { return running_; }
    // Asks for x̂0 of a frame that has none (forward frames); the newest request wins.
    void requestEstimate(int frame);

    const RunSummary& lastSummary() const { return lastSummary_; }
    // Memory allowed for the frames of one reverse run (float16 x_t and x̂0); more steps than
    // fit are strided evenly. Default 1 GiB.
    void setFrameBudget(int64_t bytes) { frameBudget_ = bytes; }

Q_SIGNALS:
    void started(const QString& what, qint64 total);
    void progress(qint64 done, qint64 total);
    void finished(const QString& message);
    void failed(const QString& message);

private:
    std::shared_ptr<JobChannel> newRun();
    void onFinished(const RunSummary& summary, const QString& what);
    void onFailed(const QString& message);

    ModelSession& model_;
    TrajectoryDocument& document_;
    quint64 ticket_ = 0;
    StopToken stop_;
    bool running_ = false;
    RunSummary lastSummary_;
    at::Tensor lastSamples_;
    std::shared_ptr<std::atomic<quint64>> latestEstimate_;
    quint64 estimateTicket_ = 0;
    int64_t frameBudget_ = int64_t(1) << 30;
};

} // namespace ds
