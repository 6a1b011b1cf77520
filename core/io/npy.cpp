#include "npy.h"

#include "atomic_file.h"
#include "models/error.h"

#include <ATen/ATen.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace ds {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLength = 6;
constexpr int64_t kMaxBytes = int64_t(1) << 40; // refuse absurd declared sizes before multiplying on

struct DtypeName {
    at::ScalarType type;
    const char* descr;
};
constexpr std::array<DtypeName, 8> kDtypes{{
    {at::kFloat, "<f4"}, {at::kDouble, "<f8"}, {at::kHalf, "<f2"}, {at::kLong, "<i8"},
    {at::kInt, "<i4"},   {at::kByte, "|u1"},   {at::kBool, "|b1"}, {at::kChar, "|i1"},
}};

const char* descrOf(at::ScalarType type, const std::string& path)
{
    for (const auto& d : kDtypes)
        if (d.type == type)
            return d.descr;
    throw Error(path + ": cannot write dtype " + std::string(c10::toString(type)) + " to .npy");
}

at::ScalarType typeOf(const std::string& descr, const std::string& path)
{
    for (const auto& d : kDtypes)
        if (descr == d.descr || (descr.size() == 3 && descr.substr(1) == std::string(d.descr).substr(1)
                                 && (descr[0] == '|' || descr[0] == '<' || descr[0] == '=')))
            return d.type;
    throw Error(path + ": unsupported .npy dtype '" + descr + "' (need little-endian f2/f4/f8/i1/i4/i8/u1/b1)");
}

std::string makeHeader(const at::Tensor& t, const std::string& path)
{
    std::ostringstream dict;
    dict << "{'descr': '" << descrOf(t.scalar_type(), path) << "', 'fortran_order': False, 'shape': (";
    for (int64_t d = 0; d < t.dim(); ++d) // NumPy's spelling: (), (5,), (2, 3)
        dict << t.size(d) << (t.dim() == 1 ? "," : d + 1 < t.dim() ? ", " : "");
    dict << "), }";
    std::string header = dict.str();
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in '\n'.
    const size_t total = kMagicLength + 4 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    return header;
}

// Value of `key` in the header dict: the text after "'key':" up to the next top-level comma.
std::string dictValue(const std::string& dict, const std::string& key, const std::string& path)
{
    const auto pos = dict.find("'" + key + "'");
    require(pos != std::string::npos, path + ": .npy header lacks '" + key + "'");
    auto start = dict.find(':', pos);
    require(start != std::string::npos, path + ": malformed .npy header");
    ++start;
    while (start < dict.size() && dict[start] == ' ')
        ++start;
    size_t end = start;
    if (start < dict.size() && dict[start] == '(')
        end = dict.find(')', start) + 1;
    else
        end = dict.find_first_of(",}", start);
    require(end != std::string::npos && end > start, path + ": malformed .npy header near '" + key + "'");
    return dict.substr(start, end - start);
}

std::vector<int64_t> parseShape(const std::string& text, const std::string& path)
{
    require(text.size() >= 2 && text.front() == '(' && text.back() == ')', path + ": malformed .npy shape " + text);
    std::vector<int64_t> shape;
    std::string item;
    std::istringstream in(text.substr(1, text.size() - 2));
    while (std::getline(in, item, ',')) {
        if (item.find_first_not_of(' ') == std::string::npos)
            continue;
        try {
            const long long v = std::stoll(item);
            require(v >= 0, path + ": negative dimension in .npy shape");
            shape.push_back(v);
        } catch (const std::logic_error&) {
            throw Error(path + ": malformed .npy shape " + text);
        }
    }
    return shape;
}

} // namespace

void saveNpy(const std::string& path, const at::Tensor& t)
{
    require(t.defined(), path + ": nothing to write");
    auto data = t.detach().to(at::kCPU).contiguous();
    const auto header = makeHeader(data, path);
    writeFileAtomically(path, [&](std::ostream& out) {
        out.write(kMagic, kMagicLength);
        const char version[2] = {1, 0};
        out.write(version, 2);
        const uint16_t length = uint16_t(header.size());
        const char lengthBytes[2] = {char(length & 0xff), char(length >> 8)};
        out.write(lengthBytes, 2);
        out.write(header.data(), std::streamsize(header.size()));
        out.write(static_cast<const char*>(data.data_ptr()), std::streamsize(data.nbytes()));
    });
}

at::Tensor loadNpy(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    require(bool(in), path + ": cannot open .npy file");
    char magic[kMagicLength + 2] = {};
    in.read(magic, sizeof magic);
    require(in.gcount() == sizeof magic && std::memcmp(magic, kMagic, kMagicLength) == 0,
            path + ": not a .npy file (bad magic)");
    const int major = magic[kMagicLength];
    require(major >= 1 && major <= 3, path + ": unsupported .npy version " + std::to_string(major));
    uint32_t length = 0;
    unsigned char bytes[4] = {};
    in.read(reinterpret_cast<char*>(bytes), major == 1 ? 2 : 4);
    length = bytes[0] | (bytes[1] << 8) | (uint32_t(bytes[2]) << 16) | (uint32_t(bytes[3]) << 24);
    require(length > 0 && length < (1u << 20), path + ": implausible .npy header length");
    std::string dict(length, '\0');
    in.read(dict.data(), length);
    require(in.gcount() == std::streamsize(length), path + ": truncated .npy header");

    auto descr = dictValue(dict, "descr", path);
    require(descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"'), path + ": malformed .npy descr");
    const auto type = typeOf(descr.substr(1, descr.size() - 2), path);
    require(dictValue(dict, "fortran_order", path) == "False", path + ": Fortran-ordered .npy is not supported");
    const auto shape = parseShape(dictValue(dict, "shape", path), path);

    int64_t count = 1;
    for (auto d : shape) {
        require(d == 0 || count <= kMaxBytes / d, path + ": .npy shape too large");
        count *= d;
    }
    // Compare with what the file holds before allocating: a lying header must not cost memory.
    const auto dataStart = in.tellg();
    in.seekg(0, std::ios::end);
    const auto available = int64_t(in.tellg() - dataStart);
    in.seekg(dataStart);
    const auto declared = count * int64_t(c10::elementSize(type));
    require(declared <= available, path + ": truncated .npy data (header declares " + std::to_string(declared)
                                       + " bytes, file holds " + std::to_string(available) + ")");
    auto out = at::empty(shape, at::TensorOptions().dtype(type));
    const auto nbytes = std::streamsize(out.nbytes());
    in.read(static_cast<char*>(out.data_ptr()), nbytes);
    require(in.gcount() == nbytes, path + ": truncated .npy data (expected " + std::to_string(nbytes) + " bytes, got "
                                       + std::to_string(in.gcount()) + ")");
    return out;
}

} // namespace ds
