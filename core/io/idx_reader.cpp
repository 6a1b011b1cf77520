#include "idx_reader.h"

#include "models/error.h"

#include <ATen/ATen.h>
#include <zlib.h>

#include <filesystem>
#include <memory>
#include <vector>

namespace ds {
namespace {

constexpr int64_t kMaxElements = int64_t(1) << 32; // 4 GiB of uint8: far above any IDX we read

struct GzCloser {
    void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to n bytes; gzread also reads uncompressed files transparently.
int64_t readBytes(gzFile f, void* out, int64_t n, const std::string& path)
{
    int64_t done = 0;
    auto* p = static_cast<unsigned char*>(out);
    while (done < n) {
        const auto chunk = unsigned(std::min<int64_t>(n - done, 1 << 30));
        const int got = gzread(f, p + done, chunk);
        if (got < 0) {
            int code = 0;
            throw Error(path + ": corrupt gzip stream: " + gzerror(f, &code));
        }
        if (got == 0)
            break;
        done += got;
    }
    return done;
}

} // namespace

at::Tensor readIdx(const std::string& path)
{
    require(std::filesystem::exists(path), path + ": no such file");
    GzFile file(gzopen(path.c_str(), "rb"));
    require(file != nullptr, path + ": cannot open");
    unsigned char magic[4] = {};
    require(readBytes(file.get(), magic, 4, path) == 4, path + ": truncated IDX header");
    require(magic[0] == 0 && magic[1] == 0, path + ": not an IDX file (bad magic)");
    require(magic[2] == 0x08, path + ": IDX element type " + std::to_string(magic[2]) + " unsupported (need uint8)");
    const int dims = magic[3];
    require(dims >= 1 && dims <= 4, path + ": IDX file declares " + std::to_string(dims) + " dimensions (need 1..4)");

    std::vector<int64_t> shape;
    int64_t count = 1;
    for (int d = 0; d < dims; ++d) {
        unsigned char b[4] = {};
        require(readBytes(file.get(), b, 4, path) == 4, path + ": truncated IDX header");
        const int64_t size = (int64_t(b[0]) << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
        require(size >= 1 && count <= kMaxElements / size, path + ": implausible IDX dimension " + std::to_string(size));
        count *= size;
        shape.push_back(size);
    }
    // Grow the buffer as data arrives, so a header that lies about its size costs no memory.
    std::vector<unsigned char> data;
    constexpr int64_t kBlock = int64_t(1) << 24;
    while (int64_t(data.size()) < count) {
        const auto want = std::min(kBlock, count - int64_t(data.size()));
        const auto offset = data.size();
        data.resize(offset + size_t(want));
        const auto got = readBytes(file.get(), data.data() + offset, want, path);
        data.resize(offset + size_t(got));
        if (got < want)
            break;
    }
    require(int64_t(data.size()) == count, path + ": truncated IDX data (header declares " + std::to_string(count)
                                               + " bytes, file holds " + std::to_string(data.size()) + ")");
    unsigned char extra = 0;
    require(readBytes(file.get(), &extra, 1, path) == 0, path + ": IDX file is longer than its header declares");
    return at::from_blob(data.data(), shape, at::kByte).clone();
}

} // namespace ds
