#pragma once
// A trajectory exported for NumPy: the files of ds::saveTrajectoryNpy (<name>.npy frames,
// <name>.t.npy t per frame, <name>.x0.npy the model's x̂0 per frame when any is stored) with
// every value that is defined written, and <name>.x0.json saying which x̂0 row holds what:
//   "model":   the x̂0 the model gave for that frame's x_t (Trajectory::appendAfterStep)
//   "data":    a frame at t = 0 with no estimate (a reverse run's sample, a forward run's data)
//              holds itself: x̂0 of clean data is the data (ᾱ = 1, no noise to remove)
//   "missing": no estimate was made for the frame (a forward run without x̂0, a stopped run);
//              the row is NaN so that row i of every file is frame i
#include "core/trajectory.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace ds {

struct PredictionRows {
    at::Tensor values;             // float32 [F, N, C, H, W]
    std::vector<std::string> kind; // per frame: "model", "data" or "missing"
};

// The x̂0 rows as described above. Throws ds::Error for an empty trajectory.
PredictionRows predictionRows(const Trajectory& trajectory);

// Writes the files; returns their paths (.npy, .t.npy[, .x0.npy, .x0.json]).
std::vector<std::string> saveTrajectoryArrays(const std::string& path, const Trajectory& trajectory);

} // namespace ds
