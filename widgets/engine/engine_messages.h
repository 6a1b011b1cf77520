#pragma once
// Values that engine jobs send to the UI thread through queued signals. They hold tensors by
// handle: a job sends CPU copies it no longer touches, so the UI may read them freely.
#include <ATen/core/Tensor.h>

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace ds {

class Denoiser;
class Trajectory;

// One frame of a run: the state x_t after `step` of `steps` steps, and the model's x̂0.
struct FramePacket {
    quint64 ticket = 0; // the run it belongs to; stale tickets are dropped
    int64_t frame = -1; // estimates: index of the trajectory frame answered; −1 when streamed
    int64_t step = 0;   // 0 for the starting frame x_T
    int64_t steps = 0;
    int64_t t = 0;      // t of x (0 = clean data, T = pure noise)
    at::Tensor x;       // float32 [N, C, H, W], CPU
    at::Tensor x0;      // float32 [N, C, H, W], CPU, or undefined (x_T, forward frames)
};

// One round of a whole-chain solve (Picard): where the window is, how far from converged, and
// the current iterate of the states (x_T excluded) the run keeps, for the trajectory view.
struct RoundPacket {
    quint64 ticket = 0;
    int64_t round = 0;                  // 1-based
    int64_t steps = 0;                  // positions in the chain
    int64_t windowBegin = 0, windowEnd = 0; // positions evaluated this round, [begin, end)
    int64_t accepted = 0;               // leading positions accepted so far
    double maxResidual = 0;             // max over the window of ‖Δ‖²/(D σ²_step) (converged: ≤ τ²)
    std::vector<int64_t> t;             // t of each iterate state below (0 = the samples)
    std::vector<at::Tensor> states;     // float32 [N, C, H, W], CPU; empty when throttled
};

// How a run ended.
struct RunSummary {
    quint64 ticket = 0;
    bool cancelled = false;
    int64_t completedSteps = 0;
    int64_t passes = 0;     // network passes
    int64_t rounds = 0;     // passes that ran one after another (fewer for Picard, DNM, pixel-aware)
    double seconds = 0;     // wall time of the run
    double netSeconds = 0;  // wall time inside the network
    at::Tensor samples;     // final state, float32 [N, C, H, W], CPU
};

// A whole trajectory computed off the UI thread (the forward process).
struct TrajectoryPacket {
    quint64 ticket = 0;
    std::shared_ptr<const Trajectory> trajectory;
    at::Tensor x0; // the clean batch it starts from, float32 [N, C, H, W]
};

// What the status bar and the views need to know about the open model.
struct ModelSummary {
    QString source;    // file path or oracle spec
    QString kind;      // "torchscript", "oracle-empirical", …
    QString schedule;  // ScheduleSpec::describe()
    QString shape;     // "1×28×28"
    QString range;     // "[-1, 1]"
    QString dataset;   // "fashion-mnist" or empty
    QString device;    // "cpu", "cuda:0"
};

// A model opened on the engine thread, handed to the UI thread.
struct ModelPacket {
    std::shared_ptr<Denoiser> denoiser;
    ModelSummary summary;
};

// Registers the types above for queued connections (call once, before the first job).
void registerEngineMetaTypes();

} // namespace ds

Q_DECLARE_METATYPE(ds::FramePacket)
Q_DECLARE_METATYPE(ds::RunSummary)
Q_DECLARE_METATYPE(ds::RoundPacket)
Q_DECLARE_METATYPE(ds::ModelSummary)
Q_DECLARE_METATYPE(ds::TrajectoryPacket)
Q_DECLARE_METATYPE(ds::ModelPacket)
