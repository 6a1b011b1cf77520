#include "trajectory_io.h"

#include "npy.h"

#include <ATen/ATen.h>

namespace ds {

std::string companionPath(const std::string& path, const std::string& suffix)
{
    const std::string ext = ".npy";
    const bool hasExt = path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
    const auto stem = hasExt ? path.substr(0, path.size() - ext.size()) : path;
    return stem + suffix + ext;
}

std::vector<std::string> saveTrajectoryNpy(const std::string& path, const Trajectory& trajectory)
{
    std::vector<std::string> written{path, companionPath(path, ".t")};
    saveNpy(path, trajectory.stackedFrames());
    saveNpy(written[1], at::tensor(trajectory.ts(), at::kLong));
    if (trajectory.hasPredictions()) {
        written.push_back(companionPath(path, ".x0"));
        saveNpy(written.back(), trajectory.stackedPredictions());
    }
    return written;
}

} // namespace ds
