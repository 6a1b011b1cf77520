#pragma once
// Crash recovery: the run folders under a root that a training left interrupted (killed, power
// loss, a crash), with the newest checkpoint that still loads, so the app can offer them for
// resume at start as Krita offers its autosaves. A run that finished or was cancelled cleanly
// carries an end mark (run_folder.h) and is not offered; neither is one a live process owns.
#include <cstdint>
#include <string>
#include <vector>

namespace ds {

struct InterruptedRun {
    std::string dir;        // the run folder
    std::string name;       // its folder name
    std::string checkpoint; // newest resumable checkpoint that loads ("" when none does)
    int64_t step = 0;       // that checkpoint's step
    int64_t totalSteps = 0; // steps the run was set to reach (its config)
    std::string problem;    // without a checkpoint: why (none written, or each one's first fault)

    bool resumable() const { return !checkpoint.empty(); }
};

// The interrupted run folders directly under `root` (a folder holding checkpoints, a loss log or
// a lock, without an end mark and without a live owner), by name. Loads candidate checkpoints
// fully (newest first, latest.dsckpt before the step files), so it can take a while: call it off
// the UI thread. A missing or unreadable root gives an empty list.
std::vector<InterruptedRun> findInterruptedRuns(const std::string& root);

// One run folder's newest resumable checkpoint that loads, tried as findInterruptedRuns does
// (latest.dsckpt, then the step files newest first): what `--resume <folder>` continues, which
// also covers a kill between the first save's rename and the latest.dsckpt link. Without one,
// `problem` says why. Does not look at end marks or locks.
InterruptedRun inspectRunFolder(const std::string& dir);

// Marks an interrupted run as seen, so it is not offered again (its files stay). Throws
// ds::Error naming the folder when a live process owns it or the mark cannot be written.
void dismissInterruptedRun(const InterruptedRun& run);

} // namespace ds
