#include "atomic_file.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
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

} // namespace

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
