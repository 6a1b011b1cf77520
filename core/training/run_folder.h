#pragma once
// Housekeeping of a run folder (runs/<name>/): one writer at a time, and no leftovers of a
// save that was killed (SIGKILL, power loss) between creating its temp file and renaming it.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ds {

// True while a process with this pid exists (also one we may not signal).
bool processAlive(int64_t pid);

// <dir>/.lock, created with O_CREAT|O_EXCL and holding the owner's pid. A lock whose pid is
// dead is taken over and `note` says so; a live one throws ds::Error naming the folder and
// the pid. The destructor removes the file if it still holds our pid.
class RunLock {
public:
    explicit RunLock(const std::string& dir, const std::function<void(const std::string&)>& note = {});
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Removes the temp files of atomic writes (".<name>.tmp-<pid>", core/atomic_file.h) in `dir`
// whose pid is dead; returns the removed file names.
std::vector<std::string> removeStaleTempFiles(const std::string& dir);

} // namespace ds
