#include "run_folder.h"

#include "models/error.h"
#include "core/io/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace ds {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLockName = ".lock";
constexpr const char* kEndMarkName = ".ended";

// The pid a lock file holds; 0 when it holds none (a writer that died between creating the file
// and filling it, or a file we just created).
int64_t pidIn(int fd)
{
    char text[32] = {};
    const auto n = ::pread(fd, text, sizeof text - 1, 0);
    if (n <= 0)
        return 0;
    try {
        return std::stoll(std::string(text, size_t(n)));
    } catch (const std::logic_error&) {
        return 0;
    }
}

struct flock wholeFile(short type)
{
    struct flock lock {};
    lock.l_type = type;
    lock.l_whence = SEEK_SET; // l_start = l_len = 0: the whole file
    return lock;
}

// The lock file still is `fd`'s file: an owner that ended unlinks it while holding the lock,
// so a racer that opened the old file before the unlink locks a file nobody else will see.
bool stillLinked(int fd, const std::string& path)
{
    struct stat open {}, named {};
    return ::fstat(fd, &open) == 0 && ::stat(path.c_str(), &named) == 0 && open.st_dev == named.st_dev
        && open.st_ino == named.st_ino;
}

} // namespace

bool processAlive(int64_t pid)
{
    if (pid <= 0 || pid > INT32_MAX)
        return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

RunLock::RunLock(const std::string& dir, const std::function<void(const std::string&)>& note)
    : dir_(dir), path_((fs::path(dir) / kLockName).string())
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    require(!ec, dir, ": cannot create the run folder: ", ec.message());
    for (int attempt = 0; attempt < 100; ++attempt) {
        const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        require(fd >= 0, path_, ": cannot create the run lock: ", std::strerror(errno));
        auto lock = wholeFile(F_WRLCK);
        if (::fcntl(fd, F_OFD_SETLK, &lock) != 0) {
            const int error = errno;
            const auto owner = pidIn(fd);
            ::close(fd);
            require(error == EAGAIN || error == EACCES, path_, ": cannot lock the run folder: ", std::strerror(error));
            throw Error(dir + ": another training (pid " + std::to_string(owner)
                        + ") is writing into this run folder; wait for it to end, or choose another name");
        }
        if (!stillLinked(fd, path_)) { // its owner ended as we opened it: try the new file
            ::close(fd);
            continue;
        }
        const auto previous = pidIn(fd);
        const auto text = std::to_string(::getpid()) + "\n";
        if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != ssize_t(text.size())) {
            const auto message = std::string(std::strerror(errno));
            ::unlink(path_.c_str());
            ::close(fd);
            throw Error(path_ + ": cannot write the run lock: " + message);
        }
        fd_ = fd;
        fs::remove(endMarkPath(dir), ec); // the end mark was the previous writer's
        if (previous != 0 && note)
            note(dir + ": took over a stale lock of pid " + std::to_string(previous) + " (no longer running)");
        return;
    }
    throw Error(dir + ": the run folder's lock keeps changing hands; try again");
}

RunLock::~RunLock()
{
    if (fd_ < 0)
        return;
    ::unlink(path_.c_str()); // while still holding the lock: see stillLinked()
    ::close(fd_);
}

void RunLock::markEnded(const std::string& status, int64_t step, const std::string& checkpoint) const
{
    const nlohmann::json mark{{"status", status}, {"step", step}, {"checkpoint", checkpoint}, {"pid", int64_t(::getpid())}};
    writeFileAtomically(endMarkPath(dir_), [&](std::ostream& out) { out << mark.dump() << '\n'; });
}

bool runLockHeld(const std::string& dir)
{
    const auto path = (fs::path(dir) / kLockName).string();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    auto probe = wholeFile(F_WRLCK);
    const bool held = ::fcntl(fd, F_OFD_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
    ::close(fd);
    return held;
}

std::string endMarkPath(const std::string& dir) { return (fs::path(dir) / kEndMarkName).string(); }

bool runEndedCleanly(const std::string& dir)
{
    std::error_code ec;
    return fs::is_regular_file(endMarkPath(dir), ec);
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
