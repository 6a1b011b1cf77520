#pragma once
// The Picard residual record: what a Picard run's round observer reports (SolveRound in
// core/samplers/sampler.h), kept as a matrix residual[round, position] (NaN outside the
// round's window), with each round's window, acceptance and the sample x_n as it stood.
//
// Acceptance (ParaDiGMS, as PicardSampler applies it): after a round over [s, e) positions
// s … s + L are final, L the number of leading window residuals ≤ τ² (position s is always
// final: its input x_s was). Re-reading the record with a looser τ' ≥ τ gives the round at
// which each position would have been accepted; the sample at τ' is x_n as it stood in the
// round that accepted the last position. This re-reads the recorded iterates; a run with τ'
// would slide its window sooner and could differ after the first earlier acceptance.
#include "core/samplers/sampler.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace ds {

struct PicardRecord {
    int64_t steps = 0;
    double tolerance = 0;                        // the run's τ
    at::Tensor residuals;                        // float64 [R, steps]: ‖Δ‖²/(D σ²_step), NaN outside the window
    std::vector<int64_t> windowBegin, windowEnd; // per round, positions [begin, end)
    std::vector<int64_t> accepted;               // leading positions accepted after each round
    std::vector<int64_t> sequentialCalls;        // dependent network calls after each round
    std::vector<at::Tensor> sample;              // x_n after each round (CPU)
};

class PicardRecorder {
public:
    PicardRecorder(int64_t steps, double tolerance);
    // Pass as runSampler's round observer; never stops the solve.
    RoundObserver observer();
    PicardRecord record() const;

private:
    int64_t steps_;
    double tolerance_;
    std::vector<std::vector<double>> rows_;
    PicardRecord record_;
};

// 1-based round at which each position is accepted with tolerance τ' (τ' ≥ the run's τ;
// throws ds::Error otherwise). With τ' = τ this is the run's own acceptance.
std::vector<int64_t> acceptanceRounds(const PicardRecord& record, double tolerance);
// x_n as it stood in the round that accepted the last position under τ'.
at::Tensor sampleAtTolerance(const PicardRecord& record, double tolerance);

} // namespace ds
