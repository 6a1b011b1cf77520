// A disk that fills up, for tests (LD_PRELOAD): writes to files under $DIFFSCOPE_ENOSPC_DIR fail
// with ENOSPC once $DIFFSCOPE_ENOSPC_AFTER bytes in all have gone there (the write that crosses
// the limit is cut short, as on a real disk). Covers write, pwrite, writev (libstdc++ streams,
// FFmpeg) and fwrite (giflib); glibc's stdio flushes through an internal write that no preload
// can see, which is why fwrite is counted at the call. Other files are left alone.
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

std::atomic<long long> used{0};

const char* watchedDir()
{
    static const char* dir = std::getenv("DIFFSCOPE_ENOSPC_DIR");
    return dir && *dir ? dir : nullptr;
}

long long budget()
{
    static const long long limit = [] {
        const char* text = std::getenv("DIFFSCOPE_ENOSPC_AFTER");
        return text ? std::atoll(text) : 0LL;
    }();
    return limit;
}

bool watched(int fd)
{
    const char* dir = watchedDir();
    if (!dir || fd < 0)
        return false;
    char link[64], target[4096];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const auto n = ::readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return false;
    target[n] = '\0';
    const auto len = std::strlen(dir);
    return std::strncmp(target, dir, len) == 0 && (target[len] == '/' || target[len] == '\0');
}

// How many of `n` bytes may go to `fd`: n, fewer (the disk fills during this write), or -1
// with errno = ENOSPC (it is full).
long long allowance(int fd, size_t n)
{
    if (n == 0 || !watched(fd))
        return (long long)n;
    const long long before = used.fetch_add((long long)n);
    if (before >= budget()) {
        errno = ENOSPC;
        return -1;
    }
    return before + (long long)n > budget() ? budget() - before : (long long)n;
}

template <class Fn>
Fn real(const char* name)
{
    return reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t n)
{
    static const auto next = real<ssize_t (*)(int, const void*, size_t)>("write");
    const auto allowed = allowance(fd, n);
    return allowed < 0 ? -1 : next(fd, buf, size_t(allowed));
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset)
{
    static const auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
    const auto allowed = allowance(fd, n);
    return allowed < 0 ? -1 : next(fd, buf, size_t(allowed), offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t offset)
{
    static const auto next = real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
    const auto allowed = allowance(fd, n);
    return allowed < 0 ? -1 : next(fd, buf, size_t(allowed), offset);
}

ssize_t writev(int fd, const struct iovec* iov, int count)
{
    static const auto next = real<ssize_t (*)(int, const struct iovec*, int)>("writev");
    size_t total = 0;
    for (int i = 0; i < count; ++i)
        total += iov[i].iov_len;
    const auto allowed = allowance(fd, total);
    if (allowed < 0)
        return -1;
    if (size_t(allowed) == total)
        return next(fd, iov, count);
    // Cut short: write the first `allowed` bytes only.
    size_t left = size_t(allowed);
    ssize_t done = 0;
    for (int i = 0; i < count && left > 0; ++i) {
        const size_t part = iov[i].iov_len < left ? iov[i].iov_len : left;
        static const auto plain = real<ssize_t (*)(int, const void*, size_t)>("write");
        const auto n = plain(fd, iov[i].iov_base, part);
        if (n < 0)
            return done > 0 ? done : -1;
        done += n;
        left -= size_t(n);
        if (size_t(n) < part)
            break;
    }
    return done;
}

size_t fwrite(const void* ptr, size_t size, size_t count, FILE* file)
{
    static const auto next = real<size_t (*)(const void*, size_t, size_t, FILE*)>("fwrite");
    if (size == 0 || count == 0)
        return next(ptr, size, count, file);
    const auto allowed = allowance(::fileno(file), size * count);
    if (allowed < 0)
        return 0;
    const size_t whole = size_t(allowed) / size;
    const size_t done = whole > 0 ? next(ptr, size, whole, file) : 0;
    if (done < count)
        errno = ENOSPC;
    return done;
}

} // extern "C"
