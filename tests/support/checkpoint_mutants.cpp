#include "checkpoint_mutants.h"

#include <zlib.h>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace ds::testing {
namespace {

uint32_t le32(const std::string& b, size_t at)
{
    if (at + 4 > b.size())
        throw std::runtime_error("zip field beyond the end");
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = v << 8 | uint8_t(b[at + size_t(i)]);
    return v;
}
uint16_t le16(const std::string& b, size_t at)
{
    if (at + 2 > b.size())
        throw std::runtime_error("zip field beyond the end");
    return uint16_t(uint8_t(b[at]) | uint8_t(b[at + 1]) << 8);
}
void put32(std::string& b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + size_t(i)] = char(v >> (8 * i) & 0xff);
}

Mutant make(std::string kind, std::string what, std::string bytes, bool mustRefuse)
{
    return Mutant{std::move(kind), std::move(what), std::move(bytes), mustRefuse};
}

void flips(const std::string& original, std::mt19937_64& rng, std::vector<Mutant>& out)
{
    std::uniform_int_distribution<size_t> offset(0, original.size() - 1);
    std::uniform_int_distribution<int> mask(1, 255);
    for (int i = 0; i < 250; ++i) {
        auto bytes = original;
        const auto at = offset(rng);
        bytes[at] = char(bytes[at] ^ mask(rng));
        out.push_back(make("single flip", "at " + std::to_string(at), std::move(bytes), false));
    }
    for (int i = 0; i < 150; ++i) {
        auto bytes = original;
        const auto a = offset(rng), b = offset(rng);
        bytes[a] = char(bytes[a] ^ mask(rng));
        bytes[b] = char(bytes[b] ^ mask(rng));
        out.push_back(make("double flip", "at " + std::to_string(a) + "," + std::to_string(b), std::move(bytes), false));
    }
}

void truncationsAndJunk(const std::string& original, std::mt19937_64& rng, std::vector<Mutant>& out)
{
    std::uniform_int_distribution<size_t> length(0, original.size() - 1);
    for (size_t i = 0; i < 80; ++i) {
        const auto n = i < 4 ? original.size() - 1 - i : length(rng); // the last bytes, then anywhere
        out.push_back(make("truncation", "to " + std::to_string(n), original.substr(0, n), true));
    }
    std::uniform_int_distribution<int> junkLength(1, 4096), byte(0, 255);
    for (int i = 0; i < 40; ++i) {
        auto bytes = original;
        const int n = i == 0 ? 1 : junkLength(rng);
        for (int j = 0; j < n; ++j)
            bytes.push_back(char(byte(rng)));
        out.push_back(make("appended junk", std::to_string(n) + " bytes", std::move(bytes), true));
    }
}

std::vector<ZipRecord> weightRecords(const std::string& bytes)
{
    std::vector<ZipRecord> out;
    for (const auto& r : zipRecords(bytes))
        if (r.name.find("/data/") != std::string::npos && r.size > 0 && !r.compressed)
            out.push_back(r);
    return out;
}

// Swaps of two different equal-size weight entries: with the CRCs left (the zip check
// catches them) and rewritten (only the weight digest can).
void swaps(const std::string& original, std::vector<Mutant>& out)
{
    const auto records = weightRecords(original);
    for (size_t i = 0; i < records.size(); ++i)
        for (size_t j = i + 1; j < records.size(); ++j) {
            const auto &a = records[i], &b = records[j];
            if (a.size != b.size || original.compare(a.data, a.size, original, b.data, b.size) == 0)
                continue;
            auto bytes = original;
            bytes.replace(a.data, a.size, original, b.data, b.size);
            bytes.replace(b.data, b.size, original, a.data, a.size);
            const auto what = a.name + " <-> " + b.name;
            out.push_back(make("swapped records", what, bytes, true));
            rewriteCrc(bytes, a);
            rewriteCrc(bytes, b);
            out.push_back(make("re-zipped swap", what, std::move(bytes), true));
        }
}

void reZippedFlips(const std::string& original, std::mt19937_64& rng, std::vector<Mutant>& out)
{
    const auto records = weightRecords(original);
    if (records.empty())
        return;
    std::uniform_int_distribution<size_t> pick(0, records.size() - 1);
    std::uniform_int_distribution<int> mask(1, 255);
    for (int i = 0; i < 40; ++i) {
        const auto& r = records[pick(rng)];
        const auto at = r.data + std::uniform_int_distribution<size_t>(0, r.size - 1)(rng);
        auto bytes = original;
        bytes[at] = char(bytes[at] ^ mask(rng));
        rewriteCrc(bytes, r);
        out.push_back(make("re-zipped flip", r.name + " at " + std::to_string(at), std::move(bytes), true));
    }
}

// Each number in the header JSON (inside the pickled archive/data.pkl) gets another first
// digit: same length, so the archive's layout holds; the CRC is rewritten.
void lyingHeaders(const std::string& original, std::vector<Mutant>& out)
{
    ZipRecord pkl;
    for (const auto& r : zipRecords(original))
        if (r.name.size() >= 8 && r.name.compare(r.name.size() - 8, 8, "data.pkl") == 0)
            pkl = r;
    if (pkl.size == 0 || pkl.compressed)
        return;
    const auto begin = original.find("{\"", pkl.data);
    const auto end = std::min(pkl.data + pkl.size, original.find("}q", begin)); // the JSON string's end in the pickle
    int made = 0;
    for (auto at = begin; at != std::string::npos && at < end && made < 60; ++at) {
        const char c = original[at];
        if (c < '1' || c > '9' || !(original[at - 1] == ':' || original[at - 1] == '[' || original[at - 1] == ','))
            continue;
        auto bytes = original;
        bytes[at] = c == '9' ? '1' : char(c + 1);
        rewriteCrc(bytes, pkl);
        const auto key = original.rfind('"', original.rfind('"', at) - 1);
        out.push_back(make("lying header", original.substr(key, at - key + 1), std::move(bytes), true));
        ++made;
    }
}

} // namespace

std::vector<ZipRecord> zipRecords(const std::string& bytes)
{
    const auto end = bytes.rfind(std::string("PK\x05\x06", 4));
    if (end == std::string::npos)
        throw std::runtime_error("no end of central directory record");
    const int count = le16(bytes, end + 10);
    size_t pos = le32(bytes, end + 16);
    std::vector<ZipRecord> out;
    for (int i = 0; i < count; ++i) {
        if (le32(bytes, pos) != 0x02014b50)
            throw std::runtime_error("bad central directory entry");
        const size_t nameLen = le16(bytes, pos + 28), extraLen = le16(bytes, pos + 30), commentLen = le16(bytes, pos + 32);
        ZipRecord r;
        r.name = bytes.substr(pos + 46, nameLen);
        r.central = pos;
        r.size = le32(bytes, pos + 20);
        const size_t local = le32(bytes, pos + 42);
        r.data = local + 30 + le16(bytes, local + 26) + le16(bytes, local + 28);
        if (le16(bytes, local + 6) & 0x8) { // general purpose bit 3: a data descriptor follows the data
            const auto after = r.data + r.size;
            r.descriptor = le32(bytes, after) == 0x08074b50 ? after + 4 : after;
        }
        r.compressed = le16(bytes, pos + 10) != 0;
        out.push_back(r);
        pos += 46 + nameLen + extraLen + commentLen;
    }
    return out;
}

void rewriteCrc(std::string& bytes, const ZipRecord& record)
{
    const auto crc = uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data() + record.data), uInt(record.size)));
    put32(bytes, record.central + 16, crc);
    if (record.descriptor)
        put32(bytes, record.descriptor, crc);
}

std::vector<Mutant> checkpointMutants(const std::string& original, uint64_t seed)
{
    std::vector<Mutant> out;
    std::mt19937_64 rng(seed);
    flips(original, rng, out);
    truncationsAndJunk(original, rng, out);
    swaps(original, out);
    reZippedFlips(original, rng, out);
    lyingHeaders(original, out);
    return out;
}

} // namespace ds::testing
