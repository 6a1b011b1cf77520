#include "trajectory_arrays.h"

#include "models/error.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/io/trajectory_io.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

namespace ds {

PredictionRows predictionRows(const Trajectory& trajectory)
{
    require(!trajectory.empty(), "trajectory arrays: the trajectory has no frames");
    PredictionRows out;
    std::vector<at::Tensor> rows;
    for (int64_t i = 0; i < trajectory.size(); ++i) {
        auto x0 = trajectory.predictedX0(i);
        if (x0.defined()) {
            out.kind.push_back("model");
        } else if (trajectory.t(i) == 0) {
            x0 = trajectory.frame(i);
            out.kind.push_back("data");
        } else {
            x0 = at::full_like(trajectory.frame(i), std::nan(""));
            out.kind.push_back("missing");
        }
        rows.push_back(x0.to(at::kFloat));
    }
    out.values = at::stack(rows);
    return out;
}

namespace {

nlohmann::json describe(const std::string& npyPath, const Trajectory& trajectory, const PredictionRows& rows)
{
    nlohmann::json frames = nlohmann::json::array();
    for (int64_t i = 0; i < trajectory.size(); ++i)
        frames.push_back({{"frame", i}, {"t", trajectory.t(i)}, {"x0", rows.kind[size_t(i)]}});
    return {
        {"array", std::filesystem::path(npyPath).filename().string()},
        {"shape", rows.values.sizes().vec()},
        {"kinds",
         {{"model", "the model's x̂0 as the run stored it with this frame"},
          {"data", "t = 0 and no estimate: the data itself (x̂0 of clean data is the data)"},
          {"missing", "no estimate was made for this frame (e.g. a run stopped early): NaN, so row i stays frame i"}}},
        {"frames", frames},
    };
}

} // namespace

std::vector<std::string> saveTrajectoryArrays(const std::string& path, const Trajectory& trajectory)
{
    require(!trajectory.empty(), path + ": the trajectory has no frames");
    std::vector<std::string> written{path, companionPath(path, ".t")};
    saveNpy(path, trajectory.stackedFrames());
    saveNpy(written[1], at::tensor(trajectory.ts(), at::kLong));
    if (!trajectory.hasPredictions())
        return written;
    const auto rows = predictionRows(trajectory);
    written.push_back(companionPath(path, ".x0"));
    saveNpy(written.back(), rows.values);
    const auto jsonPath = written.back().substr(0, written.back().size() - 4) + ".json"; // <name>.x0.json
    const auto json = describe(written.back(), trajectory, rows);
    writeFileAtomically(jsonPath, [&](std::ostream& out) { out << json.dump(2) << '\n'; });
    written.push_back(jsonPath);
    return written;
}

} // namespace ds
