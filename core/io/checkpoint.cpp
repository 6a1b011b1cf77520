#include "checkpoint.h"

#include "atomic_file.h"
#include "sha256.h"
#include "models/error.h"
#include "models/json_fields.h"
#include "core/tensor_checks.h"
#include "core/user_message.h"
#include "zip_integrity.h"

#include "models/registry.h"

#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

namespace ds {
namespace {

constexpr const char* kFormatName = "diffscope-checkpoint";

std::string withoutPrefix(const std::string& text, const std::string& prefix)
{
    return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
}

torch::serialize::InputArchive openArchive(const std::string& path)
{
    require(std::filesystem::exists(path), path + ": no such file");
    require(std::filesystem::file_size(path) > 0, path + ": empty file (an interrupted save?)");
    const auto damaged = path + ": not a readable diffscope checkpoint (truncated or damaged): ";
    try { // LibTorch checks no CRC: flipped weight bytes would load silently
        verifyZipArchive(path);
    } catch (const Error& e) {
        throw Error(damaged + withoutPrefix(e.what(), path + ": "));
    }
    torch::serialize::InputArchive archive;
    withContext(damaged, [&] { archive.load_from(path, c10::Device(c10::kCPU)); }); // CUDA tensors map to the CPU
    return archive;
}

CheckpointHeader readHeader(torch::serialize::InputArchive& archive, const std::string& path)
{
    c10::IValue value, digest;
    require(archive.try_read("header", value) && value.isString(), path + ": archive has no diffscope header");
    if (archive.try_read("header_sha256", digest)) // absent in files written before it existed
        require(digest.isString() && digest.toStringRef() == sha256Hex(value.toStringRef()), path,
                ": the checkpoint header does not match its SHA-256 (the file is damaged)");
    return checkpointHeaderFromJson(parseJson(value.toStringRef(), path + ": checkpoint header"), path);
}

Network buildFrom(const CheckpointHeader& header, const std::string& path)
{
    return withContext(path + ": network config: ", [&] { return buildNetwork(header.network); });
}

// Reads `key` into a fresh network and checks every parameter and buffer against the shapes
// the config implies (Module::load alone would accept any shape).
Network readNetwork(torch::serialize::InputArchive& archive, const std::string& key, const CheckpointHeader& header,
                    const std::string& path)
{
    torch::serialize::InputArchive sub;
    require(archive.try_read(key, sub), path + ": checkpoint lacks '" + key + "'");
    auto expected = buildFrom(header, path);
    auto loaded = buildFrom(header, path);
    withContext(path + ": '" + key + "' does not match the network config (missing key?): ", [&] { loaded->load(sub); });
    auto want = expected->named_parameters(true);
    for (const auto& p : loaded->named_parameters(true)) {
        const auto what = path + ": " + key + "." + p.key();
        const auto* reference = want.find(p.key());
        require(reference && p.value().sizes() == reference->sizes(), what + " has the wrong shape");
        requireStorageCovers(p.value(), what);
        requireFinite(p.value(), what);
    }
    if (const auto digest = header.weightsSha256.find(key); digest != header.weightsSha256.end())
        require(networkDigest(*loaded) == digest->second, path, ": '", key,
                "' weights do not match the SHA-256 in the checkpoint header (the file is damaged)");
    loaded->eval();
    return loaded;
}

} // namespace

std::string utcNow()
{
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

nlohmann::json toJson(const CheckpointHeader& h)
{
    return {{"format", kFormatName},
            {"version", h.version},
            {"kind", h.kind},
            {"network", h.network},
            {"schedule", toJson(h.schedule)},
            {"prediction", std::string(name(h.prediction))},
            {"shape", h.shape},
            {"data_range", {h.range.lo, h.range.hi}},
            {"dataset", h.dataset},
            {"step", h.step},
            {"created", h.created},
            {"training", h.training},
            {"training_state", h.trainingState},
            {"extra", h.extra},
            {"weights_sha256", h.weightsSha256}};
}

std::string networkDigest(const NetworkImpl& network)
{
    Sha256 hash;
    auto add = [&hash](const std::string& name, const at::Tensor& t) {
        auto bytes = t.detach().to(at::kCPU).contiguous();
        hash.update(name + '\0' + std::string(c10::toString(bytes.scalar_type())) + '\0');
        for (auto s : bytes.sizes())
            hash.update(std::to_string(s) + ',');
        hash.update(bytes.data_ptr(), bytes.nbytes());
    };
    for (const auto& p : network.named_parameters(true))
        add("p:" + p.key(), p.value());
    for (const auto& b : network.named_buffers(true))
        add("b:" + b.key(), b.value());
    return hash.hexDigest();
}

CheckpointHeader checkpointHeaderFromJson(const nlohmann::json& j, const std::string& where)
{
    require(j.is_object() && j.contains("format") && j["format"].is_string()
                && j["format"].get<std::string>() == kFormatName,
            where, ": not a diffscope checkpoint header");
    const JsonFields f(j, where + ": header");
    CheckpointHeader h;
    const auto version = f.requiredInteger("version");
    require(version == CheckpointHeader::kVersion, where, ": checkpoint version ", version,
            " is not supported (this build reads version ", CheckpointHeader::kVersion, ")");
    h.version = int(version);
    h.kind = f.requiredString("kind");
    h.network = f.required("network");
    h.schedule = scheduleSpecFromJson(f.required("schedule"), where);
    try {
        h.prediction = predictionFromString(f.requiredString("prediction"));
    } catch (const Error& e) {
        throw Error(where + ": header prediction: " + e.what());
    }
    const auto shape = f.integers("shape", {}, 3, 3, 1, 4096);
    require(f.has("shape"), where, ": header shape is missing");
    std::copy(shape.begin(), shape.end(), h.shape.begin());
    const auto& range = f.required("data_range");
    require(range.is_array() && range.size() == 2 && range[0].is_number() && range[1].is_number(), where,
            ": header data_range must be [lo, hi], not ", JsonFields::shown(range));
    h.range = {range[0].get<double>(), range[1].get<double>()};
    require(h.range.valid(), where + ": header data_range needs lo < hi");
    h.dataset = f.string("dataset", std::string());
    h.step = f.integer("step", 0, 0);
    h.created = f.string("created", std::string());
    h.training = f.has("training") ? f.required("training") : nlohmann::json::object();
    require(h.training.is_object(), where, ": header training must be an object (the training config)");
    h.trainingState = f.boolean("training_state", false);
    h.extra = f.has("extra") ? f.required("extra") : nlohmann::json::object();
    require(h.extra.is_object(), where, ": header extra must be an object");
    if (f.has("weights_sha256")) {
        const JsonFields digests(f.required("weights_sha256"), where + ": header weights_sha256");
        for (const auto& [key, value] : j["weights_sha256"].items()) {
            require(value.is_string() && value.get<std::string>().size() == 64, where,
                    ": header weights_sha256.", JsonFields::shown(key), " must be a 64-digit hex string");
            h.weightsSha256[key] = value.get<std::string>();
        }
    }
    return h;
}

void saveCheckpoint(const std::string& path, const CheckpointHeader& header, const CheckpointContents& contents)
{
    require(contents.ema != nullptr, path + ": nothing to save");
    auto stamped = header;
    stamped.weightsSha256 = {{"ema", networkDigest(*contents.ema)}};
    if (header.trainingState && contents.weights)
        stamped.weightsSha256["weights"] = networkDigest(*contents.weights);
    torch::serialize::OutputArchive archive;
    const auto text = toJson(stamped).dump();
    archive.write("header", c10::IValue(text));
    archive.write("header_sha256", c10::IValue(sha256Hex(text)));
    torch::serialize::OutputArchive ema;
    contents.ema->save(ema);
    archive.write("ema", ema);
    if (header.trainingState) {
        require(contents.weights && contents.optimizer && contents.rngState.defined(),
                path + ": a resumable checkpoint needs weights, optimizer and RNG state");
        torch::serialize::OutputArchive weights, optimizer;
        contents.weights->save(weights);
        contents.optimizer->save(optimizer);
        archive.write("weights", weights);
        archive.write("optimizer", optimizer);
        archive.write("rng", contents.rngState);
    }
    // Serialise to memory first: LibTorch's zip writer throws from its destructor when a
    // write fails mid-way (a full disk), which terminates the process. Memory never fails a
    // write, and the bytes then go to disk through our own checked, atomic path.
    std::string bytes;
    archive.save_to([&](const void* data, size_t size) {
        bytes.append(static_cast<const char*>(data), size);
        return size;
    });
    writeFileAtomically(path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
}

CheckpointHeader readCheckpointHeader(const std::string& path)
{
    auto archive = openArchive(path);
    return readHeader(archive, path);
}

LoadedCheckpoint loadCheckpoint(const std::string& path)
{
    auto archive = openArchive(path);
    LoadedCheckpoint out;
    out.header = readHeader(archive, path);
    out.ema = readNetwork(archive, "ema", out.header, path);
    if (!out.header.trainingState)
        return out;
    out.weights = readNetwork(archive, "weights", out.header, path);
    out.optimizer = std::make_shared<torch::serialize::InputArchive>();
    require(archive.try_read("optimizer", *out.optimizer), path + ": checkpoint lacks 'optimizer'");
    require(archive.try_read("rng", out.rngState), path + ": checkpoint lacks 'rng'");
    requireStorageCovers(out.rngState, path + ": rng");
    return out;
}

} // namespace ds
