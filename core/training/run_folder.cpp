#include "run_folder.h"

#include "core/error.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <regex>
#include <unistd.h>

namespace ds {
namespace {

namespace fs = std::filesystem;

// The pid a lock file names; 0 when the file is unreadable or holds no number (a writer that
// died between creating and filling it).
int64_t lockOwner(const std::string& path)
{
    std::ifstream in(path);
    int64_t pid = 0;
    if (!(in >> pid))
        return 0;
    return pid;
}

// O_EXCL makes creation atomic: of two processes racing for the lock, exactly one succeeds.
bool tryCreate(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        require(errno == EEXIST, path + ": cannot create the run lock: " + std::strerror(errno));
        return false;
    }
    const auto text = std::to_string(::getpid()) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        throw Error(path + ": cannot write the run lock");
    }
    return true;
}

} // namespace

bool processAlive(int64_t pid)
{
    if (pid <= 0 || pid > INT32_MAX)
        return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

RunLock::RunLock(const std::string& dir, const std::function<void(const std::string&)>& note)
    : path_((fs::path(dir) / ".lock").string())
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    require(!ec, dir + ": cannot create the run folder: " + ec.message());
    if (tryCreate(path_))
        return;
    const auto owner = lockOwner(path_);
    require(!processAlive(owner), dir + ": another training (pid " + std::to_string(owner)
                                      + ") is writing into this run folder; wait for it to end, or choose another name");
    ::unlink(path_.c_str());
    require(tryCreate(path_), dir + ": another training took the run folder's lock at the same time");
    if (note)
        note(dir + ": took over a stale lock of pid " + std::to_string(owner) + " (no longer running)");
}

RunLock::~RunLock()
{
    if (lockOwner(path_) == ::getpid())
        ::unlink(path_.c_str());
}

std::vector<std::string> removeStaleTempFiles(const std::string& dir)
{
    static const std::regex pattern(R"(^\..+\.tmp-([0-9]{1,10})(\.[A-Za-z0-9]+)?$)");
    std::vector<std::string> removed;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto name = entry.path().filename().string();
        std::smatch m;
        if (!entry.is_regular_file(ec) || !std::regex_match(name, m, pattern) || processAlive(std::stoll(m[1].str())))
            continue;
        if (fs::remove(entry.path(), ec))
            removed.push_back(name);
    }
    return removed;
}

} // namespace ds
