#include "torchscript_denoiser.h"

#include "models/error.h"
#include "models/json_fields.h"
#include "core/io/zip_integrity.h"
#include "core/tensor_checks.h"
#include "core/user_message.h"
#include "frozen_inference.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>
#include <torch/csrc/jit/api/module.h>
#include <torch/script.h>

#include <filesystem>
#include <fstream>

namespace ds {

struct TorchScriptDenoiserImpl {
    torch::jit::Module saved;  // the module as loaded (eval mode); the fallback, and the source for to()
    torch::jit::Module module; // what forward() runs: the frozen, optimised copy, or `saved`
};

namespace {

constexpr const char* kHeaderName = "diffscope.json";

void requireZipArchive(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    require(fs::exists(path, ec), path + ": no such file");
    require(fs::is_regular_file(path, ec), path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    require(bool(in), path + ": cannot open for reading");
    char magic[4] = {};
    in.read(magic, 4);
    require(in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4,
            path + ": not a TorchScript archive (no zip header); expected a file written by torch.jit.save");
}

torch::jit::Module loadModule(const std::string& path, torch::jit::ExtraFilesMap& extra)
{
    const auto refused = path + ": not a loadable TorchScript module: ";
    try { // LibTorch checks no CRC: flipped weight bytes would load silently
        verifyZipArchive(path);
    } catch (const Error& e) {
        const std::string text = e.what();
        throw Error(refused + (text.rfind(path + ": ", 0) == 0 ? text.substr(path.size() + 2) : text));
    }
    // LibTorch reports damaged archives both as c10::Error and as plain std::exception.
    return withContext(refused, [&] { return torch::jit::load(path, c10::Device(c10::kCPU), extra); });
}

void checkModuleTensors(const torch::jit::Module& module, const std::string& path, int64_t& parameterCount)
{
    parameterCount = 0;
    for (const auto& p : module.named_parameters(/*recurse=*/true))
        parameterCount += p.value.numel();
    for (const auto& a : module.named_attributes(/*recurse=*/true)) {
        if (!a.value.isTensor())
            continue;
        const auto what = path + ": tensor '" + a.name + "'";
        requireStorageCovers(a.value.toTensor(), what);
        requireFinite(a.value.toTensor(), what);
    }
}

std::array<int64_t, 3> parseShape(const nlohmann::json& j, const std::string& where)
{
    require(j.is_array() && j.size() == 3, where + ": \"shape\" must be [C, H, W]");
    std::array<int64_t, 3> shape{};
    for (size_t i = 0; i < 3; ++i) {
        require(j[i].is_number_integer() && j[i].get<int64_t>() > 0 && j[i].get<int64_t>() <= 4096,
                where + ": \"shape\" entries must be integers in 1..4096");
        shape[i] = j[i].get<int64_t>();
    }
    return shape;
}

std::string shapeText(const at::Tensor& x)
{
    std::string out;
    for (int64_t d = 0; d < x.dim(); ++d)
        out += (d ? "x" : "") + std::to_string(x.size(d));
    return out;
}

// The interpreter's message ends with the Python-style error line; the rest is a traceback.
std::string lastLine(const std::string& text)
{
    auto end = text.find_last_not_of(" \n");
    if (end == std::string::npos)
        return text;
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

} // namespace

DenoiserInfo parseDiffscopeHeader(const std::string& text, const std::string& where)
{
    const auto j = parseJson(text, where + ": diffscope.json");
    const JsonFields f(j, where + ": diffscope.json");
    const auto format = f.requiredInteger("format");
    require(format == 1, where, ": diffscope.json format ", format, " is not supported (this build reads format 1)");
    DenoiserInfo info;
    info.kind = "torchscript";
    info.source = where;
    try {
        info.prediction = predictionFromString(f.requiredString("prediction"));
    } catch (const Error& e) {
        const std::string message = e.what();
        throw Error(message.rfind(where, 0) == 0 ? message : where + ": " + message);
    }
    info.schedule = scheduleSpecFromJson(f.required("schedule"), where);
    info.shape = parseShape(f.required("shape"), where);
    if (f.has("data_range")) {
        const auto& r = j["data_range"];
        require(r.is_array() && r.size() == 2 && r[0].is_number() && r[1].is_number(),
                where + ": \"data_range\" must be [lo, hi]");
        info.range = {r[0].get<double>(), r[1].get<double>()};
        require(info.range.valid(), where + ": \"data_range\" needs lo < hi");
    }
    info.dataset = f.string("dataset", std::string());
    return info;
}

std::string makeDiffscopeHeader(const DenoiserInfo& info)
{
    nlohmann::json j{{"format", 1},
                     {"prediction", std::string(name(info.prediction))},
                     {"schedule", toJson(info.schedule)},
                     {"shape", info.shape},
                     {"data_range", {info.range.lo, info.range.hi}}};
    if (!info.dataset.empty())
        j["dataset"] = info.dataset;
    return j.dump(2);
}

TorchScriptDenoiser::TorchScriptDenoiser(DenoiserInfo info, std::unique_ptr<TorchScriptDenoiserImpl> impl)
    : Denoiser(std::move(info)), impl_(std::move(impl))
{
}

TorchScriptDenoiser::~TorchScriptDenoiser() = default;

std::unique_ptr<TorchScriptDenoiser> TorchScriptDenoiser::load(const std::string& path, c10::Device device)
{
    requireZipArchive(path);
    torch::jit::ExtraFilesMap extra{{kHeaderName, ""}};
    auto impl = std::make_unique<TorchScriptDenoiserImpl>();
    impl->module = loadModule(path, extra);
    // A missing extra file comes back as an empty string, not as an error.
    require(!extra[kHeaderName].empty(),
            path + ": has no diffscope.json extra file; export with torch.jit.save(module, path, "
                   "_extra_files={'diffscope.json': json.dumps(header)}) (see README)");
    auto info = parseDiffscopeHeader(extra[kHeaderName], path);
    checkModuleTensors(impl->module, path, info.parameters);
    impl->saved = impl->module;
    impl->saved.eval();
    std::unique_ptr<TorchScriptDenoiser> denoiser(new TorchScriptDenoiser(std::move(info), std::move(impl)));
    denoiser->to(device); // also freezes (prepareInference)
    // Probe once with the declared shape, so a wrong-shape model fails here with a clear message.
    const auto& s = denoiser->info().shape;
    auto probe = (*denoiser)(at::zeros({1, s[0], s[1], s[2]}), at::zeros({1}, at::kLong));
    requireFinite(probe, path + ": probe forward pass");
    denoiser->resetUsage();
    return denoiser;
}

// A frozen module holds its weights as graph constants, which Module::to() does not move: a
// device change moves the saved module and freezes it again.
void TorchScriptDenoiser::to(c10::Device device)
{
    Denoiser::to(device);
    impl_->saved.to(device);
    impl_->module = impl_->saved;
    prepareInference();
}

// The frozen, optimised copy (frozen_inference.h) must agree with the saved module on a probe;
// otherwise, or when freezing throws, the saved module runs and info().notes says why.
void TorchScriptDenoiser::prepareInference()
{
    auto frozen = freezeForInference([this] { return impl_->saved; },
                                     [this](const at::Tensor& x, const at::Tensor& k) { return runScripted(impl_->saved, x, k); },
                                     info_.shape, info_.schedule.T, device_, "the module as saved");
    frozen_ = frozen.module != nullptr;
    impl_->module = frozen_ ? *frozen.module : impl_->saved;
    impl_->saved.eval(); // the probe may have left a module that sets self.training in training mode
    inferenceNote_ = frozen.note;
    setInferenceNote(info_.notes, frozen.note);
}

at::Tensor TorchScriptDenoiser::forward(const at::Tensor& x, const at::Tensor& k)
{
    at::Tensor out;
    try {
        c10::InferenceMode inference; // no autograd records, no version counters (thread-local)
        auto result = impl_->module.forward({x, k});
        require(result.isTensor(), info_.source, ": forward() must return one tensor");
        out = result.toTensor().to(at::kFloat);
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        throw Error(info_.source + ": forward failed on input " + shapeText(x) + ": " + lastLine(e.what_without_backtrace()));
    } catch (const std::exception& e) { // the TorchScript interpreter throws std::runtime_error
        throw Error(info_.source + ": forward failed on input " + shapeText(x) + ": " + lastLine(e.what()));
    }
    // Inference tensors refuse in-place updates outside InferenceMode: callers get a normal one.
    return out.is_inference() ? out.clone() : out;
}

} // namespace ds
