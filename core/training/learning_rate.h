#pragma once
// Learning rate at a step: linear warm-up from 0, then cosine decay to lr · minRatio.
//   step < W:  lr · step / W
//   else:      lr · (r + (1 − r) · ½ (1 + cos(π (step − W)/(S − W))))
#include <cstdint>

namespace ds {

double learningRateAt(int64_t step, int64_t totalSteps, double peak, int64_t warmup, double minRatio);

// EMA decay used at a step: min(decay, (1 + step)/(10 + step)), so early averages are not
// dominated by the random initialisation.
double emaDecayAt(int64_t step, double decay);

} // namespace ds
