#pragma once
// Fork at step k: continue a run from its state after step k with other sampler options (η,
// σ mode, scale, another sampler or step count) and measure how far the fork drifts from its
// parent, ‖x_fork − x_parent‖ and the same for x̂0, against t.
//
// The fork starts at the parent's grid index k_k with the parent's state and continues on the
// fork options' own grid below that index. Its noise is the parent's stream continued: the
// seed's generator advanced past the draws the parent made up to step k, so a fork with the
// parent's options reproduces the parent exactly (zero drift) for single-step samplers;
// multistep samplers (dpmpp-2m, unipc, …) restart their history at the fork.
#include "core/denoisers/denoiser.h"
#include "core/samplers/sampler.h"
#include "core/trajectory.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace ds {

// A finished run kept for forking: every state and the noise bookkeeping.
struct RecordedRun {
    std::string sampler;
    SamplerOptions options;
    uint64_t seed = 0;
    std::vector<int64_t> grid;             // the indices the run visited
    Trajectory trajectory{Trajectory::Storage::Float32}; // frame 0 = x_T, frame i = after step i (with x̂0)
    std::vector<int64_t> drawsAfter;       // noise draws made by the time frame i existed
};

// Runs `sampler` from xT, recording every step. drawsBefore: draws the seed's stream had made
// before the first step (1 when x_T was its first draw, 0 for a given x_T).
RecordedRun recordRun(Denoiser& denoiser, const std::string& sampler, const SamplerOptions& options, uint64_t seed,
                      const at::Tensor& xT, int64_t drawsBefore, const StopToken* stop = nullptr);

struct Fork {
    int64_t at = 0;             // forked after this many parent steps
    RecordedRun run;            // the parent's frames 0..at, then the fork's own steps
    std::vector<int64_t> t;     // t of every frame of run.trajectory
    at::Tensor drift;           // float64 [F]: RMS (x_fork − x_parent) at the parent frame of nearest t
    at::Tensor driftX0;         // float64 [F]: the same for x̂0 (NaN where either has none)
};

// k in [0, parent steps − 1]. Throws ds::Error for a k outside that range.
Fork forkAt(Denoiser& denoiser, const RecordedRun& parent, int64_t k, const std::string& sampler,
            const SamplerOptions& options, const StopToken* stop = nullptr);

} // namespace ds
