#include "atomic_file.h"

#include "models/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ds {
namespace {

std::string systemError() { return std::strerror(errno); }

void fsyncPath(const std::string& path, bool directory, const std::string& target)
{
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    require(fd >= 0, target + ": cannot open " + path + " to sync: " + systemError());
    const int rc = ::fsync(fd);
    const auto message = systemError();
    ::close(fd);
    require(rc == 0, target + ": fsync failed: " + message);
}

// The process's umask, read without changing it (umask(2) can only be read by setting it,
// which races with other threads creating files); /proc/self/status has it since Linux 4.7.
mode_t processUmask()
{
    static const mode_t mask = [] {
        std::ifstream status("/proc/self/status");
        std::string key;
        while (status >> key)
            if (key == "Umask:") {
                std::string octal;
                status >> octal;
                return mode_t(std::stoul(octal, nullptr, 8));
            }
        const mode_t old = ::umask(022); // fallback: read it by setting it back at once
        ::umask(old);
        return old;
    }();
    return mask;
}

} // namespace

mode_t defaultFileMode() { return 0666 & ~processUmask(); }

std::string tempPathFor(const std::string& path)
{
    namespace fs = std::filesystem;
    fs::path p(path);
    return (p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
}

void commitTempFile(const std::string& tempPath, const std::string& path)
{
    namespace fs = std::filesystem;
    try {
        // Writers that create the temp file themselves may make it private (giflib's
        // EGifOpenFileName uses 0600): the committed file gets the mode of any new file.
        require(::chmod(tempPath.c_str(), defaultFileMode()) == 0, path + ": cannot set the file's mode: " + systemError());
        fsyncPath(tempPath, false, path);
        std::error_code ec;
        fs::rename(tempPath, path, ec);
        require(!ec, path + ": cannot replace the file: " + ec.message());
        auto dir = fs::path(path).parent_path();
        fsyncPath(dir.empty() ? "." : dir.string(), true, path);
    } catch (...) {
        std::error_code ignored;
        fs::remove(tempPath, ignored);
        throw;
    }
}

void commitOrDiscard(const std::string& tempPath, const std::string& path, bool commit)
{
    if (commit) {
        commitTempFile(tempPath, path);
        return;
    }
    std::error_code ignored;
    std::filesystem::remove(tempPath, ignored);
}

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write)
{
    const auto temp = tempPathFor(path);
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        require(bool(out), path + ": cannot create a file there: " + systemError());
        try {
            write(out);
        } catch (...) {
            out.close();
            std::filesystem::remove(temp);
            throw;
        }
        out.flush();
        const bool ok = bool(out);
        out.close();
        if (!ok || out.fail()) {
            const auto message = systemError();
            std::filesystem::remove(temp);
            throw Error(path + ": write failed (disk full?): " + message);
        }
    }
    commitTempFile(temp, path);
}

} // namespace ds
