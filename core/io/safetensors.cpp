#include "safetensors.h"

#include "atomic_file.h"
#include "models/error.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ds {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

constexpr uint64_t kMaxHeaderBytes = 100'000'000; // the reference implementation's limit
constexpr char kMetadataKey[] = "__metadata__";

struct Dtype {
    const char* name;
    at::ScalarType type;
    uint64_t size;
};
constexpr std::array<Dtype, 10> kDtypes{{
    {"F64", at::kDouble, 8}, {"F32", at::kFloat, 4}, {"F16", at::kHalf, 2}, {"BF16", at::kBFloat16, 2},
    {"I64", at::kLong, 8},   {"I32", at::kInt, 4},   {"I16", at::kShort, 2}, {"I8", at::kChar, 1},
    {"U8", at::kByte, 1},    {"BOOL", at::kBool, 1},
}};

const Dtype* dtypeNamed(const std::string& name)
{
    for (const auto& d : kDtypes)
        if (name == d.name)
            return &d;
    return nullptr;
}

const Dtype* dtypeOf(at::ScalarType type)
{
    for (const auto& d : kDtypes)
        if (type == d.type)
            return &d;
    return nullptr;
}

// The file's bytes: memory-mapped (so copying tensors out peaks near one copy of the weights),
// or read into memory where mmap is unavailable.
class FileBytes {
public:
    explicit FileBytes(const std::string& path)
    {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        require(fd >= 0, path + ": cannot open: " + std::strerror(errno));
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(fd);
            throw Error(path + ": not a regular file");
        }
        size_ = uint64_t(st.st_size);
        if (size_ > 0) {
            void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p != MAP_FAILED)
                mapped_ = static_cast<const char*>(p);
            else
                readAll(fd, path);
        }
        ::close(fd);
    }
    ~FileBytes()
    {
        if (mapped_)
            ::munmap(const_cast<char*>(mapped_), size_);
    }
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;

    const char* data() const { return mapped_ ? mapped_ : copy_.data(); }
    uint64_t size() const { return size_; }
    // Drops the mapped pages wholly inside [begin, end) from memory (they are read again if touched).
    void release(uint64_t begin, uint64_t end) const
    {
        const uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));
        const uint64_t first = (begin + page - 1) / page * page, last = end / page * page;
        if (mapped_ && last > first)
            ::madvise(const_cast<char*>(mapped_) + first, last - first, MADV_DONTNEED);
    }

private:
    void readAll(int fd, const std::string& path)
    {
        copy_.resize(size_);
        uint64_t done = 0;
        while (done < size_) {
            const auto n = ::read(fd, copy_.data() + done, size_ - done);
            if (n <= 0) {
                ::close(fd);
                throw Error(path + ": read failed: " + std::strerror(errno));
            }
            done += uint64_t(n);
        }
    }

    const char* mapped_ = nullptr;
    std::vector<char> copy_;
    uint64_t size_ = 0;
};

struct Entry {
    std::string name;
    const Dtype* dtype = nullptr;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0; // byte offsets into the data buffer
};

struct Header {
    std::vector<Entry> entries;
    std::map<std::string, std::string> metadata;
    uint64_t dataStart = 0; // 8 + N
};

// nlohmann keeps the last of duplicate keys silently; this parser callback refuses them at
// every level instead (a second "w" could otherwise hide a tensor the offsets check misses).
nlohmann::json parseRefusingDuplicates(const char* text, uint64_t size, const std::string& path)
{
    std::vector<std::set<std::string>> keys;
    auto callback = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using E = nlohmann::json::parse_event_t;
        if (event == E::object_start)
            keys.emplace_back();
        else if (event == E::object_end && !keys.empty())
            keys.pop_back();
        else if (event == E::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
            throw Error(path + ": safetensors header has the key '" + parsed.get<std::string>() + "' twice");
        return true;
    };
    try {
        return nlohmann::json::parse(text, text + size, callback);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": safetensors header is not valid UTF-8 JSON: " + e.what());
    }
}

uint64_t readU64(const nlohmann::json& v, const std::string& what)
{
    require(v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0),
            what + " must be a non-negative integer");
    return v.get<uint64_t>();
}

Entry parseEntry(const std::string& name, const nlohmann::json& v, const std::string& path)
{
    const std::string what = path + ": safetensors tensor '" + name + "'";
    require(v.is_object(), what + " is not an object");
    Entry e;
    e.name = name;
    require(v.contains("dtype") && v["dtype"].is_string(), what + " lacks a \"dtype\" string");
    const auto dtype = v["dtype"].get<std::string>();
    e.dtype = dtypeNamed(dtype);
    require(e.dtype != nullptr, what + " has dtype '" + dtype
                                    + "', which diffscope does not read (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
    require(v.contains("shape") && v["shape"].is_array(), what + " lacks a \"shape\" array");
    uint64_t bytes = e.dtype->size;
    for (const auto& d : v["shape"]) {
        const uint64_t n = readU64(d, what + ": every shape entry");
        require(n <= uint64_t(INT64_MAX) && !__builtin_mul_overflow(bytes, n, &bytes),
                what + ": shape overflows the byte count");
        e.shape.push_back(int64_t(n));
    }
    require(v.contains("data_offsets") && v["data_offsets"].is_array() && v["data_offsets"].size() == 2,
            what + " lacks \"data_offsets\": [begin, end]");
    e.begin = readU64(v["data_offsets"][0], what + ": data_offsets");
    e.end = readU64(v["data_offsets"][1], what + ": data_offsets");
    require(e.begin <= e.end, what + ": data_offsets end before they begin");
    require(e.end - e.begin == bytes, what + ": data_offsets span " + std::to_string(e.end - e.begin)
                                          + " bytes but dtype and shape need " + std::to_string(bytes));
    return e;
}

std::map<std::string, std::string> parseMetadata(const nlohmann::json& v, const std::string& path)
{
    require(v.is_object(), path + ": safetensors \"__metadata__\" is not an object");
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : v.items()) {
        require(value.is_string(), path + ": safetensors metadata '" + key + "' is not a string");
        out[key] = value.get<std::string>();
    }
    return out;
}

// The buffer must be covered exactly: sorted offsets, each starting where the last ended, from 0
// to the end of the file (no gaps where data could hide, no overlaps that alias two tensors).
void checkCoverage(std::vector<Entry>& entries, uint64_t bufferSize, const std::string& path)
{
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    uint64_t expected = 0;
    for (const auto& e : entries) {
        if (e.begin != expected)
            throw Error(path + ": safetensors tensor '" + e.name + "' starts at byte " + std::to_string(e.begin)
                        + " of the data, expected " + std::to_string(expected)
                        + (e.begin < expected ? " (overlapping tensors)" : " (a gap)"));
        expected = e.end;
    }
    require(expected == bufferSize, path + ": safetensors data is " + std::to_string(bufferSize)
                                        + " bytes but the tensors cover " + std::to_string(expected)
                                        + (expected > bufferSize ? " (file truncated?)" : " (trailing bytes)"));
}

Header parseHeader(const char* bytes, uint64_t size, const std::string& path)
{
    require(size >= 8, path + ": too short for a safetensors file (" + std::to_string(size) + " bytes)");
    uint64_t n = 0;
    std::memcpy(&n, bytes, 8); // little-endian u64
    require(n <= kMaxHeaderBytes, path + ": safetensors header length " + std::to_string(n) + " exceeds 100 MB");
    require(n <= size - 8, path + ": safetensors header length " + std::to_string(n) + " exceeds the file ("
                               + std::to_string(size) + " bytes; truncated?)");
    const auto json = parseRefusingDuplicates(bytes + 8, n, path);
    require(json.is_object(), path + ": safetensors header is not a JSON object");
    Header h;
    h.dataStart = 8 + n;
    for (const auto& [key, value] : json.items()) {
        if (key == kMetadataKey)
            h.metadata = parseMetadata(value, path);
        else
            h.entries.push_back(parseEntry(key, value, path));
    }
    checkCoverage(h.entries, size - h.dataStart, path);
    return h;
}

at::Tensor copyOut(const Entry& e, const char* data, at::ScalarType floatType, const std::string& path)
{
    // memcpy into a fresh tensor: the data may be unaligned for its dtype, and the result must
    // not alias the mapping.
    auto t = at::empty(e.shape, at::TensorOptions().dtype(e.dtype->type));
    if (t.numel() > 0)
        std::memcpy(t.data_ptr(), data + e.begin, e.end - e.begin);
    if (e.dtype->type == at::kBool) {
        // Bytes other than 0/1 are not valid bools for LibTorch's kernels.
        const auto* b = reinterpret_cast<const uint8_t*>(data + e.begin);
        require(std::all_of(b, b + (e.end - e.begin), [](uint8_t v) { return v <= 1; }),
                path + ": safetensors tensor '" + e.name + "' has BOOL bytes other than 0 and 1");
    }
    return at::isFloatingType(e.dtype->type) && e.dtype->type != floatType ? t.to(floatType) : t;
}

} // namespace

TensorMap readSafetensors(const std::string& path, at::ScalarType floatType)
{
    require(at::isFloatingType(floatType), path + ": safetensors: the float type to read into must be floating");
    FileBytes file(path);
    const auto header = parseHeader(file.data(), file.size(), path);
    const char* data = file.data() + header.dataStart;
    TensorMap out;
    for (const auto& e : header.entries)
        out.emplace(e.name, copyOut(e, data, floatType, path));
    return out;
}

std::map<std::string, std::string> readSafetensorsMetadata(const std::string& path)
{
    FileBytes file(path);
    return parseHeader(file.data(), file.size(), path).metadata;
}

TensorMap readSafetensorsLayout(const std::string& path)
{
    FileBytes file(path);
    TensorMap out;
    for (const auto& e : parseHeader(file.data(), file.size(), path).entries)
        out.emplace(e.name, at::empty(e.shape, at::TensorOptions().dtype(e.dtype->type).device(at::kMeta)));
    return out;
}

void readSafetensorsInto(const std::string& path, const std::function<at::Tensor(const std::string&)>& destination)
{
    FileBytes file(path);
    const auto header = parseHeader(file.data(), file.size(), path);
    const char* data = file.data() + header.dataStart;
    c10::NoGradGuard noGrad; // destinations are often parameters
    for (const auto& e : header.entries) {
        at::Tensor target = destination(e.name);
        if (!target.defined())
            continue;
        require(target.device().is_cpu() && target.sizes() == at::IntArrayRef(e.shape), path, ": safetensors tensor '",
                e.name, "' does not fit its destination (shape or device)");
        require(at::isFloatingType(e.dtype->type) == at::isFloatingType(target.scalar_type()), path,
                ": safetensors tensor '", e.name, "' is ", e.dtype->name, ", its destination ", target.scalar_type());
        if (e.dtype->type == target.scalar_type() && e.dtype->type != at::kBool && target.is_contiguous()) {
            if (target.numel() > 0) // straight into place: no second copy
                std::memcpy(target.data_ptr(), data + e.begin, e.end - e.begin);
        } else {
            target.copy_(copyOut(e, data, e.dtype->type, path));
        }
        file.release(header.dataStart + e.begin, header.dataStart + e.end);
    }
}

namespace {

nlohmann::json writerHeader(const TensorMap& tensors, const std::map<std::string, std::string>& metadata,
                            const std::string& path)
{
    nlohmann::json header = nlohmann::json::object();
    uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        require(name != kMetadataKey, path + ": a tensor cannot be named \"__metadata__\"");
        require(t.defined(), path + ": tensor '" + name + "' is undefined");
        const auto* dtype = dtypeOf(t.scalar_type());
        require(dtype != nullptr, path + ": tensor '" + name + "' has dtype " + std::string(c10::toString(t.scalar_type()))
                                      + ", which safetensors files from diffscope do not hold");
        const uint64_t bytes = uint64_t(t.numel()) * dtype->size;
        header[name] = {{"dtype", dtype->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    if (!metadata.empty())
        header[kMetadataKey] = metadata;
    return header;
}

} // namespace

void writeSafetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    std::string header = writerHeader(tensors, metadata, path).dump();
    header.append((8 - header.size() % 8) % 8, ' '); // the reference writer pads to 8 with spaces
    const uint64_t n = header.size();
    writeFileAtomically(path, [&](std::ostream& out) {
        out.write(reinterpret_cast<const char*>(&n), 8);
        out.write(header.data(), std::streamsize(n));
        for (const auto& [name, t] : tensors) { // std::map: name order, as the offsets above
            const auto c = t.detach().cpu().contiguous();
            out.write(static_cast<const char*>(c.data_ptr()), std::streamsize(c.numel() * c.element_size()));
        }
    });
}

} // namespace ds
