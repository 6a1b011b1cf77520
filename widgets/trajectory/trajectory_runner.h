#pragma once
// Starts and cancels the jobs that fill a TrajectoryDocument: a reverse run (a SamplingRun:
// frames stream in as the sampler computes them, Picard's iterates round by round), a forward
// run (delivered whole), and x̂0 estimates for the forward frame on screen. The newest request
// always wins. A reverse run replaces the document only when its first frame arrives, so a run
// that fails to start leaves the trajectory on screen as it was.
#include "widgets/common/sampler_settings.h"
#include "widgets/engine/engine_messages.h"
#include "widgets/engine/parent_replay.h"

#include "core/forward_process.h"
#include "core/stop_token.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace ds {

class JobChannel;
class ModelSession;
class SamplingRun;
class TrajectoryDocument;
struct TrajectoryMeta;

class TrajectoryRunner : public QObject {
    Q_OBJECT
public:
    TrajectoryRunner(ModelSession& model, TrajectoryDocument& document, QObject* parent = nullptr);
    ~TrajectoryRunner() override;

    // Noise (or data) → samples with the open model. Returns false (and emits failed) when it
    // cannot start: no model, or a sampler that does not fit it.
    bool runReverse(const SamplerSettings& settings, int batch, uint64_t seed);
    // Data → noise under the model's schedule, for a batch of its data set (or the last samples).
    bool runForward(ForwardMode mode, int batch, uint64_t seed);
    void cancel();
    bool running() const;
    // Asks for x̂0 of a frame that has none (forward frames, Picard iterates); the newest request wins.
    void requestEstimate(int frame);

    const RunSummary& lastSummary() const { return lastSummary_; }
    // The last reverse run that finished uncancelled, as it was started (what a fork or the
    // Picard record replays); invalid after a forward run or while none has finished.
    const ParentSpec& finishedReverse() const { return finishedReverse_; }
    // Memory allowed for the frames of one reverse run (float16 x_t and x̂0); more steps than
    // fit are strided evenly. Default 1 GiB.
    void setFrameBudget(int64_t bytes);
    SamplingRun& sampling() const { return *sampling_; }

Q_SIGNALS:
    void started(const QString& what, qint64 total);
    void progress(qint64 done, qint64 total);
    // Whole-chain solvers, each round: "round 3 of ~8 · window [16, 48) · max residual …".
    void solveDetail(const QString& detail);
    void finished(const QString& message);
    void failed(const QString& message);

private:
    void connectSampling();
    void onFrame(const FramePacket& p);
    void onRound(const RoundPacket& p);
    void onFinished(const RunSummary& summary);
    void onFailed(const QString& message);
    void stopForward();

    ModelSession& model_;
    TrajectoryDocument& document_;
    SamplingRun* sampling_;
    std::unique_ptr<TrajectoryMeta> pending_; // the reverse run's document, until its first frame
    QString what_;
    bool iterateShown_ = false;               // the document holds a Picard iterate, not steps
    quint64 shown_ = 0;                       // bumps when the document gets a new trajectory
    quint64 forwardTicket_ = 0;
    StopToken forwardStop_;
    bool forwardRunning_ = false;
    RunSummary lastSummary_;
    ParentSpec startedReverse_, finishedReverse_;
    at::Tensor lastSamples_;
    std::shared_ptr<std::atomic<quint64>> latestEstimate_;
    quint64 estimateTicket_ = 0;
};

// "round 3 of ~8 · window [16, 48) · max residual 2.1e-06 · 40/50 accepted"
QString roundDetail(const RoundPacket& p);

} // namespace ds
