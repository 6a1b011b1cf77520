#include "run_recovery.h"

#include "checkpoint_rotation.h"
#include "run_folder.h"

#include "models/error.h"
#include "core/io/checkpoint.h"
#include "core/user_message.h"

#include <algorithm>
#include <filesystem>

namespace ds {
namespace {

namespace fs = std::filesystem;

// What a training writes into its folder; anything else under the root is not a run.
bool looksLikeRunFolder(const fs::path& dir)
{
    std::error_code ec;
    if (fs::exists(dir / "latest.dsckpt", ec) || fs::exists(dir / "loss.csv", ec) || fs::exists(dir / ".lock", ec))
        return true;
    return !stepCheckpoints(dir.string()).empty();
}

// Newest first; latest.dsckpt names the newest of the run's own history (rotation), so it comes
// before a step file that an earlier, longer run left behind.
std::vector<std::string> candidates(const fs::path& dir)
{
    std::vector<std::string> out;
    std::error_code ec;
    if (fs::exists(dir / "latest.dsckpt", ec))
        out.push_back((dir / "latest.dsckpt").string());
    auto steps = stepCheckpoints(dir.string());
    std::reverse(steps.begin(), steps.end());
    out.insert(out.end(), steps.begin(), steps.end());
    return out;
}

} // namespace

InterruptedRun inspectRunFolder(const std::string& folder)
{
    fs::path dir(folder);
    if (!dir.has_filename()) // "runs/a/"
        dir = dir.parent_path();
    InterruptedRun run;
    run.dir = dir.string();
    run.name = dir.filename().string();
    for (const auto& path : candidates(dir)) {
        try {
            const auto checkpoint = loadCheckpoint(path);
            require(checkpoint.header.trainingState, path, ": holds EMA weights only, so it cannot be resumed");
            run.checkpoint = path;
            run.step = checkpoint.header.step;
            run.totalSteps = checkpoint.header.training.value("steps", int64_t(0));
            run.problem.clear();
            return run;
        } catch (const std::exception& e) {
            if (run.problem.empty()) // the newest one's fault is the one worth reading
                run.problem = userMessage(e);
        }
    }
    if (run.problem.empty())
        run.problem = run.dir + ": stopped before its first checkpoint";
    return run;
}

std::vector<InterruptedRun> findInterruptedRuns(const std::string& root)
{
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec))
        if (entry.is_directory(ec) && looksLikeRunFolder(entry.path()))
            dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    std::vector<InterruptedRun> out;
    for (const auto& dir : dirs)
        if (!runEndedCleanly(dir.string()) && !runLockHeld(dir.string()))
            out.push_back(inspectRunFolder(dir.string()));
    return out;
}

void dismissInterruptedRun(const InterruptedRun& run)
{
    const RunLock lock(run.dir); // refuses a folder a live process writes into
    lock.markEnded("dismissed", run.step, run.checkpoint);
}

} // namespace ds
