#pragma once
// The one owner of a reverse sampling run in the GUI (the trajectory runner and every
// comparison pane use it): it checks the sampler fits the model, posts the job, holds the
// run's ticket and stop token, sizes the frames it streams to a memory budget, and drops
// whatever a stopped or replaced run still sends. Starting a run stops the previous one.
#include "engine_messages.h"

#include "widgets/common/sampler_settings.h"

#include "core/stop_token.h"

#include <QObject>

#include <cstdint>
#include <memory>
#include <optional>

namespace ds {

class Denoiser;
class EngineThread;
class SamplingLog;
struct SamplingMember;

class SamplingRun : public QObject {
    Q_OBJECT
public:
    explicit SamplingRun(int64_t frameBudgetBytes = int64_t(1) << 30, QObject* parent = nullptr);
    ~SamplingRun() override; // stops the run

    // Queues a run of `batch` samples from `seed`. Returns false, and emits failed() with a
    // message in the GUI's words, when the sampler cannot drive the model.
    bool start(EngineThread& engine, std::shared_ptr<Denoiser> denoiser, const SamplerSettings& settings, int batch,
               uint64_t seed);
    // start() without the posting: the caller posts the member, with others that share its
    // model (postSamplingGroup). The run is this object's all the same: ticket, stop token,
    // stale packets dropped. nullopt (and failed()) when the sampler cannot drive the model.
    std::optional<SamplingMember> prepare(std::shared_ptr<Denoiser> denoiser, const SamplerSettings& settings,
                                          int batch, uint64_t seed);
    // Stops the run at its next step or Picard round; it still reports finished() (cancelled)
    // with what it had computed.
    void cancel();
    // Stops the run and drops everything it still sends: no finished().
    void abandon();
    bool running() const { return running_; }
    quint64 ticket() const { return ticket_; }
    // Memory for one run's frames (float16 x_t and x̂0); more steps than fit are strided evenly.
    void setFrameBudget(int64_t bytes) { frameBudget_ = bytes; }
    int64_t frameBudget() const { return frameBudget_; }
    // Runs started from now on draw their step noise from the seed's shared Brownian path
    // (core/brownian_noise.h) where the sampler allows it.
    void setSharedNoisePath(bool shared) { sharedNoisePath_ = shared; }
    bool sharedNoisePath() const { return sharedNoisePath_; }
    // The current run's log (passes per streamed frame, how its noise was drawn); null before
    // the first run.
    std::shared_ptr<const SamplingLog> log() const { return log_; }

Q_SIGNALS:
    void frame(const ds::FramePacket& frame);  // x_T (step 0), then each kept step
    void round(const ds::RoundPacket& round);  // whole-chain solvers: each round, during the solve
    void progress(qint64 done, qint64 total);  // steps, or accepted positions during a solve
    void finished(const ds::RunSummary& summary);
    void failed(const QString& message);

private:
    quint64 ticket_ = 0;
    StopToken stop_;
    bool running_ = false;
    int64_t frameBudget_;
    bool sharedNoisePath_ = false;
    std::shared_ptr<SamplingLog> log_;
};

// "ddpm cannot drive this DNM model: choose dnm" when `sampler` does not fit `model`, else empty.
QString samplerMismatch(const QString& sampler, const Denoiser& model);

} // namespace ds
