#pragma once
// Trajectories as .npy files a NumPy user can load:
//   <name>.npy     float32 [F, N, C, H, W]  the frames x_t
//   <name>.t.npy   int64 [F]                t of each frame (0 = clean data, T = pure noise)
//   <name>.x0.npy  float32 [F, N, C, H, W]  the model's x̂0 per frame (NaN where none), if any
#include "core/trajectory.h"

#include <string>
#include <vector>

namespace ds {

// Writes the files above; returns the paths written.
std::vector<std::string> saveTrajectoryNpy(const std::string& path, const Trajectory& trajectory);

// The companion path: "out.npy" + ".t" → "out.t.npy".
std::string companionPath(const std::string& path, const std::string& suffix);

} // namespace ds
