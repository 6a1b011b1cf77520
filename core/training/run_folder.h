#pragma once
// Housekeeping of a run folder (runs/<name>/): one writer at a time, no leftovers of a save that
// was killed (SIGKILL, power loss) between creating its temp file and renaming it, and a mark
// that says the last writer ended cleanly (so a folder without one was interrupted).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ds {

// True while a process with this pid exists (also one we may not signal).
bool processAlive(int64_t pid);

// <dir>/.lock holds the owner's pid and an open-file-description lock (fcntl F_OFD_SETLK) that
// the kernel drops when the owner dies, so exactly one of any number of racing writers (other
// processes, or another RunLock in this one) wins, and a dead owner's lock is free at once, even
// when its pid was reused. A live lock throws ds::Error naming the folder and the owner's pid; a
// lock left by a dead owner is taken over and `note` says so. Taking the lock removes the
// previous writer's end mark; the destructor removes the lock file.
class RunLock {
public:
    explicit RunLock(const std::string& dir, const std::function<void(const std::string&)>& note = {});
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    const std::string& path() const { return path_; }
    // Writes <dir>/.ended (atomically): how the run ended ("finished", "cancelled"), its step
    // and its last checkpoint. Call it only for a clean end: a failed or killed run has none.
    void markEnded(const std::string& status, int64_t step, const std::string& checkpoint) const;

private:
    std::string dir_;
    std::string path_;
    int fd_ = -1;
};

// True while some writer holds `dir`'s lock (asks the kernel; takes nothing, creates nothing).
bool runLockHeld(const std::string& dir);

// The end mark of `dir` (<dir>/.ended), and whether the folder has one.
std::string endMarkPath(const std::string& dir);
bool runEndedCleanly(const std::string& dir);

// Removes the temp files of atomic writes (".<name>.tmp-<pid>", core/atomic_file.h) in `dir`
// whose pid is dead; returns the removed file names.
std::vector<std::string> removeStaleTempFiles(const std::string& dir);

} // namespace ds
