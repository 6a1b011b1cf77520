#include "torch_state_dict.h"

#include "models/error.h"
#include "core/io/zip_integrity.h"

#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/unpickler.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <vector>

namespace ds {
namespace {

// ---- A pass over the pickle opcodes before LibTorch's unpickler sees them ----------------------
// It (1) refuses any Python class other than the few a tensor dict needs, by name; (2) checks the
// stack discipline, since 1.13's unpickler indexes its stack without bounds checks; and rewrites
// what 1.13 cannot read (it has no POP opcode, so values are removed by cutting the output back
// to where they began: the scan tracks, for every stack item, the output offset of its first op):
// (3) `OrderedDict()` (what model.state_dict() is) becomes `{}`: 1.13 turns OrderedDict into None
// (it expects one only as a tensor's backward hooks) and then fails on SETITEMS; (4) BUILD
// (obj.__setstate__(state)) is dropped with its state: for a tensor dict the only state is the
// OrderedDict's `_metadata` (module versions), and 1.13 runs BUILD as a REDUCE and fails;
// (5) SETITEM / APPEND, which 1.13 lacks, become their MARK … SETITEMS / APPENDS forms. 2.x
// makes OrderedDict a dict and ignores that state itself, so the result is the same there.

enum class Arg { None, U1, U2, U4, F8, Len1, Len4, Line, TwoLines };
enum class Mark { None, Push, PopTo };

struct Op {
    char code;
    const char* name;
    Arg arg;
    Mark mark;
    int pops, pushes; // after popping to the mark, for Mark::PopTo
};

// Pickle protocols 0–3 (torch.save writes protocol 2). INST/OBJ/EXT and protocol 4+ are refused.
constexpr Op kOps[] = {
    {'(', "MARK", Arg::None, Mark::Push, 0, 0},         {'.', "STOP", Arg::None, Mark::None, 1, 0},
    {'0', "POP", Arg::None, Mark::None, 1, 0},          {'1', "POP_MARK", Arg::None, Mark::PopTo, 0, 0},
    {'2', "DUP", Arg::None, Mark::None, 1, 2},          {'N', "NONE", Arg::None, Mark::None, 0, 1},
    {'R', "REDUCE", Arg::None, Mark::None, 2, 1},       {'a', "APPEND", Arg::None, Mark::None, 2, 1},
    {'b', "BUILD", Arg::None, Mark::None, 2, 1},        {'d', "DICT", Arg::None, Mark::PopTo, 0, 1},
    {'}', "EMPTY_DICT", Arg::None, Mark::None, 0, 1},   {'e', "APPENDS", Arg::None, Mark::PopTo, 1, 1},
    {'l', "LIST", Arg::None, Mark::PopTo, 0, 1},        {']', "EMPTY_LIST", Arg::None, Mark::None, 0, 1},
    {'s', "SETITEM", Arg::None, Mark::None, 3, 1},      {'t', "TUPLE", Arg::None, Mark::PopTo, 0, 1},
    {')', "EMPTY_TUPLE", Arg::None, Mark::None, 0, 1},  {'u', "SETITEMS", Arg::None, Mark::PopTo, 1, 1},
    {'Q', "BINPERSID", Arg::None, Mark::None, 1, 1},    {'P', "PERSID", Arg::Line, Mark::None, 0, 1},
    {'\x81', "NEWOBJ", Arg::None, Mark::None, 2, 1},    {'\x85', "TUPLE1", Arg::None, Mark::None, 1, 1},
    {'\x86', "TUPLE2", Arg::None, Mark::None, 2, 1},    {'\x87', "TUPLE3", Arg::None, Mark::None, 3, 1},
    {'\x88', "NEWTRUE", Arg::None, Mark::None, 0, 1},   {'\x89', "NEWFALSE", Arg::None, Mark::None, 0, 1},
    {'K', "BININT1", Arg::U1, Mark::None, 0, 1},        {'M', "BININT2", Arg::U2, Mark::None, 0, 1},
    {'J', "BININT", Arg::U4, Mark::None, 0, 1},         {'G', "BINFLOAT", Arg::F8, Mark::None, 0, 1},
    {'h', "BINGET", Arg::U1, Mark::None, 0, 1},         {'j', "LONG_BINGET", Arg::U4, Mark::None, 0, 1},
    {'g', "GET", Arg::Line, Mark::None, 0, 1},          {'q', "BINPUT", Arg::U1, Mark::None, 1, 1},
    {'r', "LONG_BINPUT", Arg::U4, Mark::None, 1, 1},    {'p', "PUT", Arg::Line, Mark::None, 1, 1},
    {'\x80', "PROTO", Arg::U1, Mark::None, 0, 0},       {'X', "BINUNICODE", Arg::Len4, Mark::None, 0, 1},
    {'T', "BINSTRING", Arg::Len4, Mark::None, 0, 1},    {'U', "SHORT_BINSTRING", Arg::Len1, Mark::None, 0, 1},
    {'B', "BINBYTES", Arg::Len4, Mark::None, 0, 1},     {'C', "SHORT_BINBYTES", Arg::Len1, Mark::None, 0, 1},
    {'\x8a', "LONG1", Arg::Len1, Mark::None, 0, 1},     {'\x8b', "LONG4", Arg::Len4, Mark::None, 0, 1},
    {'I', "INT", Arg::Line, Mark::None, 0, 1},          {'L', "LONG", Arg::Line, Mark::None, 0, 1},
    {'S', "STRING", Arg::Line, Mark::None, 0, 1},       {'V', "UNICODE", Arg::Line, Mark::None, 0, 1},
    {'F', "FLOAT", Arg::Line, Mark::None, 0, 1},        {'c', "GLOBAL", Arg::TwoLines, Mark::None, 0, 1},
};

const Op* opFor(char code)
{
    for (const auto& op : kOps)
        if (op.code == code)
            return &op;
    return nullptr;
}

bool allowedGlobal(const std::string& module, const std::string& name)
{
    if (module == "collections")
        return name == "OrderedDict";
    if (module == "torch._utils")
        return name == "_rebuild_tensor_v2" || name == "_rebuild_tensor" || name == "_rebuild_parameter";
    if (module == "torch")
        return name.size() > 7 && name.compare(name.size() - 7, 7, "Storage") == 0;
    return false;
}

// Builds the message only when the check fails (this runs once per opcode).
#define DS_PICKLE_CHECK(condition, what)                                                                     \
    do {                                                                                                     \
        if (!(condition))                                                                                    \
            throw Error(fail(what));                                                                         \
    } while (false)

class PickleScan {
public:
    PickleScan(const char* data, size_t size, const std::string& path) : p_(data), end_(data + size), path_(path) {}

    // The pickle with OrderedDict() rewritten as {} and BUILD states dropped; throws ds::Error
    // for anything refused.
    std::string run()
    {
        while (true) {
            DS_PICKLE_CHECK(p_ < end_, "ends without STOP (truncated?)");
            const char* start = p_;
            const Op* op = opFor(*p_++);
            if (!op)
                throw Error(fail("uses pickle opcode 0x" + hex(uint8_t(*start))
                                 + ", which a tensor dict saved by torch.save (protocol 2) does not"));
            if (step(*op, start))
                break;
        }
        DS_PICKLE_CHECK(stack_.empty() && marks_.empty(), "leaves values on the stack");
        return out_;
    }

private:
    enum class Kind { Value, OrderedDictClass, EmptyTuple };
    struct Item {
        size_t start; // offset in out_ of the first op that built it
        Kind kind;
    };
    struct MarkAt {
        size_t depth, start;
    };

    static std::string hex(uint8_t v)
    {
        const char* digits = "0123456789abcdef";
        return {digits[v >> 4], digits[v & 15]};
    }
    std::string fail(const std::string& what) const { return path_ + ": the pickle " + what; }

    // Reads the opcode's argument; returns its text for Line/TwoLines, the integer for U1/U4.
    uint64_t readArg(Arg arg, std::string& text)
    {
        auto need = [&](uint64_t n) { DS_PICKLE_CHECK(uint64_t(end_ - p_) >= n, "is truncated"); };
        auto readLine = [&] {
            const char* nl = static_cast<const char*>(std::memchr(p_, '\n', size_t(end_ - p_)));
            DS_PICKLE_CHECK(nl != nullptr, "is truncated");
            std::string line(p_, nl);
            p_ = nl + 1;
            return line;
        };
        auto readU = [&](size_t n) {
            need(n);
            uint64_t v = 0;
            std::memcpy(&v, p_, n); // little-endian
            p_ += n;
            return v;
        };
        uint64_t value = 0;
        switch (arg) {
        case Arg::None: break;
        case Arg::U1: value = readU(1); break;
        case Arg::U2: value = readU(2); break;
        case Arg::U4: value = readU(4); break;
        case Arg::F8: readU(8); break;
        case Arg::Len1: value = readU(1); need(value); p_ += value; break;
        case Arg::Len4: value = readU(4); need(value); p_ += value; break;
        case Arg::Line: text = readLine(); break;
        case Arg::TwoLines: text = readLine(); text += ' '; text += readLine(); break;
        }
        return value;
    }

    // Pops n items above the innermost mark; returns them (bottom first).
    std::vector<Item> pop(int n, const Op& op)
    {
        const size_t floor = marks_.empty() ? 0 : marks_.back().depth;
        DS_PICKLE_CHECK(stack_.size() - floor >= size_t(n), std::string("pops an empty stack at ") + op.name);
        std::vector<Item> items(stack_.end() - n, stack_.end());
        stack_.resize(stack_.size() - size_t(n));
        return items;
    }

    // One opcode: stack bookkeeping, the class allowlist and the rewrites.
    bool step(const Op& op, const char* start)
    {
        std::string text;
        const uint64_t arg = readArg(op.arg, text);
        ++ops_;
        if (op.code == '\x80')
            DS_PICKLE_CHECK(arg <= 3, "uses protocol " + std::to_string(arg) + "; re-save with torch.save's default (2)");
        const size_t here = out_.size();
        size_t first = here; // where the value this op pushes begins in out_
        if (op.mark == Mark::Push) {
            marks_.push_back({stack_.size(), here});
        } else if (op.mark == Mark::PopTo) {
            DS_PICKLE_CHECK(!marks_.empty(), std::string("has no MARK for ") + op.name);
            const auto mark = marks_.back();
            if (op.code == 'u' || op.code == 'd')
                DS_PICKLE_CHECK((stack_.size() - mark.depth) % 2 == 0,
                                std::string(op.name) + " has an odd number of keys and values");
            for (size_t i = mark.depth; i < stack_.size(); ++i)
                checkPlain(stack_[i], op);
            stack_.resize(mark.depth);
            marks_.pop_back();
            first = mark.start;
        }
        const auto popped = pop(op.pops, op);
        if (!popped.empty())
            first = std::min(first, popped.front().start);
        if (rewrite(op, popped, arg, text, start))
            return false;
        for (const auto& item : popped)
            checkPlain(item, op);
        if (op.code == 'c')
            checkGlobal(text);
        for (int i = 0; i < op.pushes; ++i)
            stack_.push_back({first, kindOf(op, popped, arg, text)});
        out_.append(start, p_);
        return op.code == '.';
    }

    void checkGlobal(const std::string& text) const
    {
        const auto space = text.find(' ');
        const auto module = text.substr(0, space), name = text.substr(space + 1);
        if (!allowedGlobal(module, name))
            throw Error(fail("refers to the Python class '" + module + "." + name
                             + "': not a flat dict of name -> tensor (a whole module or other object?)"));
    }

    void checkPlain(const Item& item, const Op& op) const
    {
        DS_PICKLE_CHECK(item.kind != Kind::OrderedDictClass,
                        std::string("uses OrderedDict in a form torch.save does not write (") + op.name + ")");
    }

    // What the pushed item is: the OrderedDict class (by GLOBAL or from its memo slot), an empty
    // tuple, or any other value. Memo ops keep the kind of the value they store.
    Kind kindOf(const Op& op, const std::vector<Item>& popped, uint64_t arg, const std::string& text)
    {
        switch (op.code) {
        case 'c': return text == "collections OrderedDict" ? Kind::OrderedDictClass : Kind::Value;
        case ')': return Kind::EmptyTuple;
        case 'h': case 'j': case 'g':
            return orderedDictSlots_.count(op.code == 'g' ? parseSlot(text) : arg) ? Kind::OrderedDictClass : Kind::Value;
        default: return Kind::Value;
        }
    }

    uint64_t parseSlot(const std::string& text) const
    {
        DS_PICKLE_CHECK(!text.empty() && text.size() < 12 && text.find_first_not_of("0123456789") == std::string::npos,
                        "has a bad memo index '" + text + "'");
        return std::stoull(text);
    }

    // Memo bookkeeping and the two rewrites; true when the op was consumed here.
    bool rewrite(const Op& op, const std::vector<Item>& popped, uint64_t arg, const std::string& text, const char* start)
    {
        switch (op.code) {
        case 'q': case 'r': case 'p': {
            const uint64_t slot = op.code == 'p' ? parseSlot(text) : arg;
            // CPython numbers memo slots in order; a huge slot would make the unpickler allocate it.
            DS_PICKLE_CHECK(slot <= ops_, "memoizes into slot " + std::to_string(slot) + " out of order");
            if (popped.front().kind == Kind::OrderedDictClass)
                orderedDictSlots_.insert(slot);
            else
                orderedDictSlots_.erase(slot);
            stack_.push_back(popped.front()); // memoizing keeps the value (and its kind) on the stack
            out_.append(start, p_);
            return true;
        }
        case 'R':
            if (popped[0].kind != Kind::OrderedDictClass)
                return false;
            DS_PICKLE_CHECK(popped[1].kind == Kind::EmptyTuple, "builds an OrderedDict with arguments");
            out_.resize(popped[0].start); // OrderedDict() → {}
            stack_.push_back({out_.size(), Kind::Value});
            out_ += '}';
            return true;
        case 's':
        case 'a':
            // 1.13 has neither SETITEM nor APPEND: d[k] = v becomes MARK k v SETITEMS and l.append(x)
            // becomes MARK x APPENDS. The MARK goes in front of the first consumed value; only the
            // consumed values begin after that point, so no other offset moves.
            for (const auto& item : popped)
                checkPlain(item, op);
            out_.insert(popped[1].start, 1, '(');
            out_ += op.code == 's' ? 'u' : 'e';
            stack_.push_back(popped[0]);
            return true;
        case 'b':
            checkPlain(popped[0], op);
            DS_PICKLE_CHECK(popped[1].start > popped[0].start, "BUILDs a value from its own copy");
            out_.resize(popped[1].start); // drop the state and the BUILD
            stack_.push_back(popped[0]);
            return true;
        default: return false;
        }
    }

    const char* p_;
    const char* end_;
    const std::string& path_;
    std::string out_;
    std::vector<Item> stack_;
    std::vector<MarkAt> marks_;
    uint64_t ops_ = 0;
    std::set<uint64_t> orderedDictSlots_; // memo slots holding the OrderedDict class
};

#undef DS_PICKLE_CHECK

// ---- The archive ----------------------------------------------------------------------------------

std::string firstBytes(const std::string& path, size_t n)
{
    std::ifstream in(path, std::ios::binary);
    require(bool(in), path + ": cannot open");
    std::string bytes(n, '\0');
    in.read(bytes.data(), std::streamsize(n));
    bytes.resize(size_t(in.gcount()));
    return bytes;
}

void checkArchiveKind(const std::string& path)
{
    const auto head = firstBytes(path, 4);
    if (head == std::string("PK\x03\x04", 4))
        return;
    if (!head.empty() && uint8_t(head[0]) == 0x80)
        throw Error(path + ": legacy torch.save format (before PyTorch 1.6), which diffscope does not read; "
                           "re-save it with a current torch.save or convert it to .safetensors");
    throw Error(path + ": not a PyTorch state dict (torch.save zip archive)");
}

// Bytes each storage's record really holds, by its data pointer.
using RecordSizes = std::map<const void*, size_t>;

// The tensor must lie inside its storage, and the storage inside its record: the unpickler
// trusts the pickle's numel, sizes and strides (a damaged file would read past the buffer).
void checkExtent(const std::string& key, const at::Tensor& t, const RecordSizes& records, const std::string& path)
{
    const std::string what = path + ": tensor '" + key + "'";
    const auto storage = t.storage();
    const auto found = records.find(storage.data());
    require(storage.nbytes() == 0 || found != records.end(), what + " is not backed by a record of the archive");
    require(storage.nbytes() == 0 || storage.nbytes() <= found->second, what + " declares more data than its record holds ("
                                                   + std::to_string(storage.nbytes()) + " > "
                                                   + std::to_string(found->second) + " bytes)");
    if (t.numel() == 0)
        return;
    int64_t last = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); ++d) {
        int64_t reach = 0;
        require(t.size(d) > 0 && t.stride(d) >= 0 && !__builtin_mul_overflow(t.size(d) - 1, t.stride(d), &reach)
                    && !__builtin_add_overflow(last, reach, &last),
                what + " has bad strides");
    }
    require(t.storage_offset() >= 0 && uint64_t(last + 1) * t.element_size() <= storage.nbytes(),
            what + " reaches past the end of its storage");
}

c10::IValue unpickle(caffe2::serialize::PyTorchStreamReader& zip, const std::string& path, RecordSizes& records)
{
    require(zip.hasRecord("data.pkl"), path + ": the archive has no data.pkl (not saved by torch.save)");
    auto [raw, size] = zip.getRecord("data.pkl");
    const auto pickle = PickleScan(static_cast<const char*>(raw.get()), size, path).run();
    size_t pos = 0;
    auto reader = [&](char* buffer, size_t n) {
        n = std::min(n, pickle.size() - pos);
        std::memcpy(buffer, pickle.data() + pos, n);
        pos += n;
        return n;
    };
    auto readRecord = [&](const std::string& name) {
        auto [data, bytes] = zip.getRecord("data/" + name);
        records[data.get()] = bytes;
        return std::move(data);
    };
    torch::jit::Unpickler unpickler(reader, nullptr, nullptr, readRecord, at::Device(at::kCPU));
    unpickler.set_version(zip.version());
    return unpickler.parse_ivalue();
}

TensorMap toTensorMap(const c10::IValue& value, at::ScalarType floatType, const RecordSizes& records,
                      const std::string& path)
{
    require(value.isGenericDict(), path + ": holds a " + std::string(value.tagKind()) + ", not a dict of tensors");
    TensorMap out;
    for (const auto& item : value.toGenericDict()) {
        require(item.key().isString(), path + ": has a key of type " + std::string(item.key().tagKind())
                                           + "; a state dict maps names to tensors");
        const auto key = item.key().toStringRef();
        require(item.value().isTensor(), path + ": entry '" + key + "' holds a " + std::string(item.value().tagKind())
                                             + ", not a tensor");
        const auto t = item.value().toTensor();
        checkExtent(key, t, records, path);
        const auto type = at::isFloatingType(t.scalar_type()) ? floatType : t.scalar_type();
        out[key] = t.detach().to(type, /*non_blocking=*/false, /*copy=*/true, at::MemoryFormat::Contiguous);
    }
    return out;
}

} // namespace

TensorMap readTorchStateDict(const std::string& path, at::ScalarType floatType)
{
    require(at::isFloatingType(floatType), path + ": the float type to read into must be floating");
    checkArchiveKind(path);
    verifyZipArchive(path); // LibTorch checks no CRC: flipped weight bytes would load silently
    try {
        caffe2::serialize::PyTorchStreamReader zip(path);
        for (const auto& record : zip.getAllRecords())
            require(record != "constants.pkl" && record.rfind("code/", 0) != 0,
                    path + ": is a TorchScript module (torch.jit.save), not a state dict");
        RecordSizes records;
        const auto value = unpickle(zip, path, records);
        return toTensorMap(value, floatType, records, path);
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        throw Error(path + ": cannot read the state dict: " + e.what_without_backtrace());
    } catch (const std::exception& e) {
        throw Error(path + ": cannot read the state dict: " + e.what());
    }
}

} // namespace ds
