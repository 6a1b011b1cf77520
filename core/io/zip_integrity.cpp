#include "zip_integrity.h"

#include "models/error.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ds {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50, kDescriptorSig = 0x08074b50;
constexpr uint32_t kMax32 = 0xFFFFFFFF;
constexpr uint16_t kMax16 = 0xFFFF;
constexpr size_t kChunk = 1 << 20;

// Little-endian fields of a byte buffer, bounds-checked by the caller's sizes.
uint16_t u16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t u32(const unsigned char* p) { return uint32_t(u16(p)) | uint32_t(u16(p + 2)) << 16; }
uint64_t u64(const unsigned char* p) { return uint64_t(u32(p)) | uint64_t(u32(p + 4)) << 32; }

class ZipFile {
public:
    explicit ZipFile(const std::string& path) : path_(path)
    {
        fd_ = ::open(path.c_str(), O_RDONLY);
        require(fd_ >= 0, path + ": cannot open: " + std::strerror(errno));
        struct stat st{};
        if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(fd_);
            throw Error(path + ": not a regular file");
        }
        size_ = uint64_t(st.st_size);
    }
    ~ZipFile() { ::close(fd_); }
    ZipFile(const ZipFile&) = delete;
    ZipFile& operator=(const ZipFile&) = delete;

    uint64_t size() const { return size_; }

    // `n` bytes at `offset`, which must lie inside the file.
    std::vector<unsigned char> read(uint64_t offset, uint64_t n, const std::string& what) const
    {
        check(offset <= size_ && n <= size_ - offset, what + " lies outside the file (truncated?)");
        std::vector<unsigned char> out(n);
        size_t done = 0;
        while (done < n) {
            const auto got = ::pread(fd_, out.data() + done, n - done, off_t(offset + done));
            check(got > 0, what + ": read failed");
            done += size_t(got);
        }
        return out;
    }

    [[noreturn]] void fail(const std::string& what) const { throw Error(path_ + ": damaged archive: " + what); }
    void check(bool ok, const std::string& what) const
    {
        if (!ok)
            fail(what);
    }

private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
};

struct Directory {
    uint64_t entries = 0;
    uint64_t offset = 0; // of the central directory
    uint64_t size = 0;
    uint64_t end = 0;    // where the end records start: entry data must stay below
};

struct Entry {
    std::string name;
    uint16_t flags = 0, method = 0;
    uint32_t crc = 0;
    uint64_t compressed = 0, uncompressed = 0, offset = 0;
    bool zip64 = false;
};

// An entry name as a message may quote it: the bytes of a damaged directory can hold newlines
// and control codes, which would break the one-line error; those become \xNN.
std::string printable(const std::string& name)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : name)
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out += char(c);
        else
            out += std::string("\\x") + digits[c >> 4] + digits[c & 15];
    return out;
}

std::string label(const Entry& e) { return "entry '" + printable(e.name) + "'"; }

// The end-of-central-directory record must end the file exactly (its comment included).
uint64_t findEnd(const ZipFile& f)
{
    f.check(f.size() >= 22, "too short for a zip archive (truncated?)");
    const uint64_t lowest = f.size() > 22 + 65535 ? f.size() - 22 - 65535 : 0;
    const auto tail = f.read(lowest, f.size() - lowest, "end of file");
    for (uint64_t pos = f.size() - 22 + 1; pos-- > lowest;) {
        const auto* p = tail.data() + (pos - lowest);
        if (u32(p) != kEndSig)
            continue;
        const uint64_t end = pos + 22 + u16(p + 20);
        f.check(end <= f.size(), "end-of-central-directory comment runs past the end of the file");
        f.check(end == f.size(), std::to_string(f.size() - end) + " unexpected bytes after the end of the archive");
        return pos;
    }
    f.fail("no end-of-central-directory record (truncated, or not a zip archive)");
}

// The zip64 end record, when its locator sits right before the classic one; values the
// classic record states (not 0xFFFF…) must agree with it.
void readZip64End(const ZipFile& f, uint64_t endPos, Directory& d)
{
    const auto loc = f.read(endPos - 20, 20, "zip64 locator");
    f.check(u32(&loc[4]) == 0 && u32(&loc[16]) <= 1, "multi-disk archives are not supported");
    const uint64_t at = u64(&loc[8]);
    f.check(at <= endPos - 20 && endPos - 20 - at >= 56, "zip64 end record lies outside the archive");
    const auto r = f.read(at, 56, "zip64 end record");
    f.check(u32(&r[0]) == kZip64EndSig, "zip64 end record has a bad signature");
    f.check(u32(&r[16]) == 0 && u32(&r[20]) == 0 && u64(&r[24]) == u64(&r[32]), "multi-disk archives are not supported");
    auto agree = [&](uint64_t classic, uint64_t marker, uint64_t wide, const char* field) {
        f.check(classic == marker || classic == wide, std::string("zip64 and classic end records disagree on ") + field);
    };
    agree(d.entries, kMax16, u64(&r[32]), "the entry count");
    agree(d.size, kMax32, u64(&r[40]), "the directory size");
    agree(d.offset, kMax32, u64(&r[48]), "the directory offset");
    d.entries = u64(&r[32]);
    d.size = u64(&r[40]);
    d.offset = u64(&r[48]);
    d.end = at;
}

Directory readDirectory(const ZipFile& f)
{
    const uint64_t endPos = findEnd(f);
    const auto r = f.read(endPos, 22, "end-of-central-directory record");
    f.check(u16(&r[4]) == 0 && u16(&r[6]) == 0 && u16(&r[8]) == u16(&r[10]), "multi-disk archives are not supported");
    Directory d{u16(&r[10]), u32(&r[16]), u32(&r[12]), endPos};
    const bool hasLocator = endPos >= 20 && u32(f.read(endPos - 20, 4, "zip64 locator").data()) == kZip64LocatorSig;
    if (hasLocator)
        readZip64End(f, endPos, d);
    else
        f.check(d.entries != kMax16 && d.offset != kMax32 && d.size != kMax32, "zip64 end record is missing");
    f.check(d.offset <= d.end && d.size == d.end - d.offset,
            "central directory (offset " + std::to_string(d.offset) + ", " + std::to_string(d.size)
                + " bytes) does not end where the end records start");
    return d;
}

// Zip64 extended information (extra field 0x0001) replaces the fields stored as 0xFFFFFFFF.
void applyZip64Extra(const ZipFile& f, const unsigned char* extra, size_t n, Entry& e)
{
    for (size_t i = 0; i + 4 <= n;) {
        const uint16_t id = u16(extra + i), len = u16(extra + i + 2);
        f.check(i + 4 + len <= n, label(e) + ": extra field runs past its header");
        if (id == 0x0001) {
            size_t k = i + 4;
            for (uint64_t* field : {&e.uncompressed, &e.compressed, &e.offset}) {
                if (*field != kMax32)
                    continue;
                f.check(k + 8 <= i + 4 + len, label(e) + ": zip64 extra field is too short");
                *field = u64(extra + k);
                k += 8;
                e.zip64 = true;
            }
        }
        i += 4 + len;
    }
    f.check(e.uncompressed != kMax32 && e.compressed != kMax32 && e.offset != kMax32,
            label(e) + ": zip64 sizes are missing");
}

std::vector<Entry> readEntries(const ZipFile& f, const Directory& d)
{
    const auto cd = f.read(d.offset, d.size, "central directory");
    std::vector<Entry> out;
    std::set<std::string> names;
    size_t pos = 0;
    for (uint64_t i = 0; i < d.entries; ++i) {
        const auto what = "central directory entry " + std::to_string(i);
        f.check(pos + 46 <= cd.size() && u32(&cd[pos]) == kCentralSig, what + " is cut short or has a bad signature");
        const auto* h = &cd[pos];
        const size_t nameLen = u16(h + 28), extraLen = u16(h + 30), commentLen = u16(h + 32);
        f.check(pos + 46 + nameLen + extraLen + commentLen <= cd.size(), what + " runs past the directory");
        Entry e;
        e.name.assign(reinterpret_cast<const char*>(h + 46), nameLen);
        e.flags = u16(h + 8);
        e.method = u16(h + 10);
        e.crc = u32(h + 16);
        e.compressed = u32(h + 20);
        e.uncompressed = u32(h + 24);
        e.offset = u32(h + 42);
        f.check(u16(h + 34) == 0 || u16(h + 34) == kMax16, label(e) + ": multi-disk archives are not supported");
        applyZip64Extra(f, h + 46 + nameLen, extraLen, e);
        f.check(!e.name.empty() && names.insert(e.name).second, what + ": empty or repeated name '" + printable(e.name) + "'");
        f.check((e.flags & 1) == 0, label(e) + " is encrypted");
        f.check(e.method == 0 || e.method == 8, label(e) + ": unknown compression method " + std::to_string(e.method));
        f.check(e.method != 0 || e.compressed == e.uncompressed, label(e) + ": stored sizes differ");
        out.push_back(std::move(e));
        pos += 46 + nameLen + extraLen + commentLen;
    }
    f.check(pos == cd.size(), "central directory holds more than its " + std::to_string(d.entries) + " entries");
    return out;
}

// CRC-32 and size of an entry's content: stored bytes as they are, deflated ones inflated.
struct Content {
    uint32_t crc = 0;
    uint64_t size = 0;
    bool complete = true; // a deflate stream that ends exactly at its compressed size
};

Content contentOf(const ZipFile& f, const Entry& e, uint64_t start)
{
    Content c;
    c.crc = uint32_t(crc32(0L, Z_NULL, 0));
    z_stream z{};
    if (e.method == 8)
        f.check(inflateInit2(&z, -MAX_WBITS) == Z_OK, label(e) + ": zlib failed to start");
    std::vector<unsigned char> out(e.method == 8 ? kChunk : 0);
    int rc = Z_OK;
    for (uint64_t done = 0; done < e.compressed && rc != Z_STREAM_END;) {
        auto in = f.read(start + done, std::min<uint64_t>(kChunk, e.compressed - done), label(e) + " data");
        done += in.size();
        if (e.method == 0) {
            c.crc = uint32_t(crc32(c.crc, in.data(), uInt(in.size())));
            c.size += in.size();
            continue;
        }
        z.next_in = in.data();
        z.avail_in = uInt(in.size());
        do {
            z.next_out = out.data();
            z.avail_out = uInt(out.size());
            rc = inflate(&z, Z_NO_FLUSH);
            const size_t produced = out.size() - z.avail_out;
            c.crc = uint32_t(crc32(c.crc, out.data(), uInt(produced)));
            c.size += produced;
        } while (rc == Z_OK && z.avail_out == 0);
        if (rc != Z_OK && rc != Z_STREAM_END)
            break;
    }
    if (e.method == 8) {
        c.complete = rc == Z_STREAM_END && z.total_in == e.compressed;
        inflateEnd(&z);
    }
    return c;
}

// Checks the local header against the directory; returns where the entry's data begins.
uint64_t checkLocalHeader(const ZipFile& f, const Entry& e, const Directory& d)
{
    const auto what = label(e);
    f.check(e.offset <= d.offset && d.offset - e.offset >= 30, what + ": local header lies outside the archive");
    const auto h = f.read(e.offset, 30, what + " local header");
    f.check(u32(&h[0]) == kLocalSig, what + ": local header has a bad signature");
    const uint64_t nameLen = u16(&h[26]), extraLen = u16(&h[28]);
    const uint64_t start = e.offset + 30 + nameLen + extraLen;
    f.check(start <= d.offset, what + ": local header runs into the central directory");
    const auto name = f.read(e.offset + 30, nameLen, what + " local name");
    f.check(std::string(name.begin(), name.end()) == e.name, what + ": local header names another file");
    f.check(u16(&h[6]) == e.flags && u16(&h[8]) == e.method, what + ": local header disagrees on flags or method");
    if ((e.flags & 8) == 0) {
        const bool sizesOk = (u32(&h[18]) == kMax32 && u32(&h[22]) == kMax32)
            || (u32(&h[18]) == e.compressed && u32(&h[22]) == e.uncompressed);
        f.check(u32(&h[14]) == e.crc && sizesOk, what + ": local header disagrees on CRC or sizes");
    }
    f.check(e.compressed <= d.offset - start, what + ": data runs past its room (size " + std::to_string(e.compressed) + ")");
    return start;
}

// The data descriptor after the data (flag bit 3), signature optional; returns its end.
uint64_t checkDescriptor(const ZipFile& f, const Entry& e, uint64_t dataEnd, const Directory& d)
{
    if ((e.flags & 8) == 0)
        return dataEnd;
    const auto what = label(e);
    const uint64_t width = e.zip64 ? 8 : 4;
    const uint64_t room = d.offset - dataEnd;
    const auto head = f.read(dataEnd, std::min<uint64_t>(room, 4), what + " data descriptor");
    const uint64_t at = head.size() == 4 && u32(head.data()) == kDescriptorSig ? dataEnd + 4 : dataEnd;
    const auto r = f.read(at, 4 + 2 * width, what + " data descriptor");
    const uint64_t compressed = width == 8 ? u64(&r[4]) : u32(&r[4]);
    const uint64_t uncompressed = width == 8 ? u64(&r[4 + width]) : u32(&r[4 + width]);
    f.check(u32(&r[0]) == e.crc && compressed == e.compressed && uncompressed == e.uncompressed,
            what + ": data descriptor disagrees with the directory");
    const uint64_t end = at + 4 + 2 * width;
    f.check(end <= d.offset, what + ": data descriptor runs into the central directory");
    return end;
}

std::string hex(uint32_t v)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", v);
    return text;
}

} // namespace

void verifyZipArchive(const std::string& path)
{
    ZipFile f(path);
    const auto d = readDirectory(f);
    const auto entries = readEntries(f, d);
    struct Span {
        uint64_t begin, end; // [local header, end of descriptor)
        const std::string* name;
        bool operator<(const Span& o) const { return begin < o.begin; }
    };
    std::vector<Span> spans;
    for (const auto& e : entries) {
        const uint64_t start = checkLocalHeader(f, e, d);
        const auto c = contentOf(f, e, start);
        f.check(c.complete && c.size == e.uncompressed,
                label(e) + ": content size " + std::to_string(c.size) + " != declared " + std::to_string(e.uncompressed));
        f.check(c.crc == e.crc, label(e) + ": CRC-32 mismatch (stored " + hex(e.crc) + ", content " + hex(c.crc) + ")");
        spans.push_back({e.offset, checkDescriptor(f, e, start + e.compressed, d), &e.name});
    }
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i)
        f.check(spans[i].begin >= spans[i - 1].end, "entry '" + printable(*spans[i].name) + "' overlaps '" + printable(*spans[i - 1].name) + "'");
}

} // namespace ds
