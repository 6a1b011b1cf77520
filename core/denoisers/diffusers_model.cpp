#include "diffusers_model.h"

#include "models/error.h"
#include "models/json_fields.h"
#include "core/io/safetensors.h"
#include "core/io/torch_state_dict.h"
#include "core/user_message.h"
#include "diffusers_scheduler.h"
#include "models/diffusers_unet.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <caffe2/serialize/inline_container.h>
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace ds {

struct DiffusersDenoiserImpl {
    DiffusersUNet2D unet{nullptr};
    at::ScalarType storedType = at::kFloat; // the weights' dtype in the file
    int64_t predictionChannels = 0;         // out_channels = 2C (learned variance): keep the first C
};

namespace fs = std::filesystem;

namespace {

constexpr const char* kWeightNames[] = {"diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin",
                                        "diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.fp16.bin"};

// The folders one model is made of.
struct FolderLayout {
    fs::path unet;              // holds config.json and the weights
    std::optional<fs::path> scheduler; // scheduler_config.json, if found
};

bool endsWith(const std::string& s, const std::string& tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A pipeline (model_index.json) keeps the UNet in unet/ and the scheduler in scheduler/; a
// UNet folder saved on its own may sit beside a pipeline's scheduler/ folder.
FolderLayout findLayout(const std::string& folder)
{
    const fs::path root(folder);
    std::error_code ec;
    require(fs::is_directory(root, ec), folder + ": not a folder");
    FolderLayout layout{root, std::nullopt};
    if (fs::exists(root / "model_index.json", ec)) {
        layout.unet = root / "unet";
        require(fs::is_directory(layout.unet, ec),
                folder + ": a pipeline folder (model_index.json) without a unet/ subfolder");
    }
    require(fs::exists(layout.unet / "config.json", ec),
            folder + ": no config.json (expected a diffusers UNet2DModel folder, or a pipeline folder with "
                     "model_index.json and unet/)");
    for (const auto& candidate : {layout.unet / "scheduler_config.json", layout.unet / ".." / "scheduler" / "scheduler_config.json"})
        if (fs::is_regular_file(candidate, ec)) {
            layout.scheduler = candidate.lexically_normal();
            break;
        }
    return layout;
}

nlohmann::json readUNetConfig(const std::string& path)
{
    const auto config = readJsonFile(path);
    require(config.is_object(), path + ": must be a JSON object");
    const auto className = config.value("_class_name", nlohmann::json("(none)"));
    require(className == "UNet2DModel",
            path + ": _class_name is " + className.dump() + ", not UNet2DModel (only UNet2DModel folders open here)");
    const auto in = config.value("in_channels", nlohmann::json(3));
    const auto out = config.value("out_channels", nlohmann::json(3));
    // in_channels ≤ 65536 (models/diffusers/unet_config.cpp), so 2·in cannot overflow.
    require(JsonFields::isIntegerIn(in, 1, 65536) && out.is_number_integer() && (out == in || out == 2 * in.get<int64_t>()),
            path + ": in_channels and out_channels must be integers, out_channels = in_channels (or twice it, "
                   "with learned variance)");
    return config;
}

fs::path findWeights(const fs::path& unet)
{
    std::error_code ec;
    std::string tried;
    for (const char* name : kWeightNames) {
        if (fs::is_regular_file(unet / name, ec))
            return unet / name;
        tried += std::string(tried.empty() ? "" : ", ") + name;
    }
    throw Error(unet.string() + ": no weights file (looked for " + tried + ")");
}

std::string withFile(const std::string& file, const std::string& message)
{
    return message.find(file) != std::string::npos ? message : file + ": " + message;
}

// The dtype floating tensors have in the file. safetensors: the JSON header's "dtype";
// torch.save archives: the storage classes the pickle names (torch.HalfStorage, …).
at::ScalarType storedFloatType(const fs::path& weights)
{
    std::ifstream in(weights, std::ios::binary);
    std::string text;
    if (endsWith(weights.string(), ".safetensors")) {
        uint64_t n = 0;
        in.read(reinterpret_cast<char*>(&n), 8); // little-endian u64 header length
        if (!in || n > (uint64_t(1) << 27))
            return at::kFloat;
        text.resize(size_t(n));
        in.read(text.data(), std::streamsize(n));
        for (const auto& [dtype, type] : {std::pair{"\"F16\"", at::kHalf}, {"\"BF16\"", at::kBFloat16},
                                          {"\"F64\"", at::kDouble}, {"\"F32\"", at::kFloat}})
            if (text.find(dtype) != std::string::npos)
                return type;
        return at::kFloat;
    }
    try {
        caffe2::serialize::PyTorchStreamReader reader(weights.string());
        std::string pickle;
        for (const auto& record : reader.getAllRecords())
            if (endsWith(record, "data.pkl")) {
                auto [data, size] = reader.getRecord(record);
                pickle.assign(static_cast<const char*>(data.get()), size);
            }
        for (const auto& [storage, type] : {std::pair{"HalfStorage", at::kHalf}, {"BFloat16Storage", at::kBFloat16},
                                            {"DoubleStorage", at::kDouble}, {"FloatStorage", at::kFloat}})
            if (pickle.find(storage) != std::string::npos)
                return type;
    } catch (const std::exception&) {
        // readTorchStateDict already accepted the file; fall back to float32.
    }
    return at::kFloat;
}

std::string dtypeName(at::ScalarType type)
{
    switch (type) {
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kDouble: return "float64";
    default: return "float32";
    }
}

TensorMap readWeights(const fs::path& weights)
{
    const auto file = weights.string();
    try {
        return endsWith(file, ".safetensors") ? readSafetensors(file, at::kFloat) : readTorchStateDict(file, at::kFloat);
    } catch (const std::exception& e) { // ds::Error, and c10::Error from a damaged archive
        throw Error(withFile(file, userMessage(e)));
    }
}

// safetensors streams each tensor into its parameter (peak ≈ one copy of the weights, not three:
// the module, the read map and the mapped file); a .bin archive is read whole, then copied.
void loadWeightsInto(DiffusersUNet2D& unet, const fs::path& weights)
{
    const auto file = weights.string();
    if (!endsWith(file, ".safetensors")) {
        loadDiffusersWeights(unet, readWeights(weights), file);
        return;
    }
    const auto targets = diffusersWeightTargets(unet, readSafetensorsLayout(file), file);
    readSafetensorsInto(file, [&](const std::string& name) {
        auto it = targets.find(name);
        return it == targets.end() ? at::Tensor() : it->second;
    });
}

// DDPM's own defaults (Ho et al.; diffusers' DDPMScheduler()): what a folder without any
// scheduler config was most likely trained with.
DiffusersScheduler assumedScheduler(const nlohmann::json& unetConfig)
{
    DiffusersScheduler s;
    s.className = "DDPMScheduler";
    const auto T = unetConfig.value("num_train_timesteps", nlohmann::json()).is_number_integer()
        ? unetConfig["num_train_timesteps"].get<int64_t>()
        : int64_t(1000);
    s.schedule = ScheduleSpec::linear(T, 1e-4, 0.02);
    s.prediction = Prediction::Epsilon;
    s.defaults.spacing = Spacing::Leading;
    s.defaults.clipDenoised = true; // clip_sample = True, clip_sample_range = 1
    s.defaults.clipRange = 1.0;
    s.defaults.sigma = SigmaMode::Small; // variance_type fixed_small
    s.sampler = "ddpm";
    s.notes.push_back("no scheduler_config.json found: assumed DDPM defaults (linear betas 1e-4..0.02, T = "
                      + std::to_string(T) + ", epsilon prediction)");
    return s;
}

DiffusersScheduler loadScheduler(const FolderLayout& layout, const std::string& overridePath,
                                 const nlohmann::json& unetConfig)
{
    const auto path = !overridePath.empty() ? std::optional<fs::path>(overridePath) : layout.scheduler;
    if (!path)
        return assumedScheduler(unetConfig);
    std::error_code ec;
    require(fs::is_regular_file(*path, ec), path->string() + ": no such scheduler config file");
    try {
        return readDiffusersScheduler(path->string());
    } catch (const std::exception& e) {
        throw Error("scheduler refused: " + withFile(path->string(), userMessage(e)));
    }
}

// sample_size is an int or [H, W].
std::array<int64_t, 3> sampleShape(const nlohmann::json& config, const std::string& where)
{
    const auto channels = config.value("in_channels", nlohmann::json(3));
    require(channels.is_number_integer() && channels.get<int64_t>() > 0, where + ": in_channels must be a positive integer");
    const auto size = config.value("sample_size", nlohmann::json());
    std::array<int64_t, 3> shape{channels.get<int64_t>(), 0, 0};
    if (size.is_number_integer()) {
        shape[1] = shape[2] = size.get<int64_t>();
    } else {
        require(size.is_array() && size.size() == 2 && size[0].is_number_integer() && size[1].is_number_integer(),
                where + ": sample_size must be an integer or [H, W] (the image size this UNet was trained on)");
        shape[1] = size[0].get<int64_t>();
        shape[2] = size[1].get<int64_t>();
    }
    require(shape[1] > 0 && shape[2] > 0 && shape[1] <= 4096 && shape[2] <= 4096,
            where + ": sample_size entries must be in 1..4096");
    return shape;
}

// The options a scheduler config implies, by SamplerOptions' field names in snake_case.
std::string optionsJson(const SamplerOptions& o)
{
    nlohmann::json j{{"spacing", std::string(name(o.spacing))},
                     {"steps_offset", o.stepsOffset},
                     {"clip_denoised", o.clipDenoised},
                     {"clip_range", o.clipRange},
                     {"dynamic_threshold", o.dynamicThreshold},
                     {"threshold_quantile", o.thresholdQuantile},
                     {"threshold_max", o.thresholdMax},
                     {"sigma", std::string(name(o.sigma))},
                     {"eta", o.eta}};
    return j.dump();
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& line : lines)
        out += (out.empty() ? "" : "; ") + line;
    return out;
}

DenoiserInfo makeInfo(const std::string& folder, const nlohmann::json& config, const std::string& configPath,
                      const DiffusersScheduler& scheduler)
{
    DenoiserInfo info;
    info.kind = "diffusers-unet2d";
    info.source = folder;
    info.prediction = scheduler.prediction;
    info.schedule = scheduler.schedule;
    info.shape = sampleShape(config, configPath);
    info.range = {-1.0, 1.0};
    info.recommendedSampler = scheduler.sampler;
    info.recommendedOptions = optionsJson(scheduler.defaults);
    return info;
}

} // namespace

DiffusersDenoiser::DiffusersDenoiser(DenoiserInfo info, std::unique_ptr<DiffusersDenoiserImpl> impl)
    : Denoiser(std::move(info)), impl_(std::move(impl))
{
}

DiffusersDenoiser::~DiffusersDenoiser() = default;

std::unique_ptr<DiffusersDenoiser> DiffusersDenoiser::open(const std::string& folder, c10::Device device,
                                                           const std::string& schedulerConfigOverride)
{
    const auto layout = findLayout(folder);
    const auto configPath = (layout.unet / "config.json").string();
    const auto config = readUNetConfig(configPath);
    const auto weights = findWeights(layout.unet);
    const auto scheduler = loadScheduler(layout, schedulerConfigOverride, config);
    auto info = makeInfo(folder, config, configPath, scheduler);
    auto notes = scheduler.notes;

    auto impl = std::make_unique<DiffusersDenoiserImpl>();
    impl->predictionChannels = info.shape[0];
    if (config.value("out_channels", nlohmann::json(info.shape[0])) == 2 * info.shape[0])
        notes.push_back("out_channels = 2 × in_channels: the learned-variance half of the output is ignored");
    impl->unet = DiffusersUNet2D(DiffusersUNetConfig::fromJson(config, configPath));
    try {
        loadWeightsInto(impl->unet, weights);
    } catch (const std::exception& e) {
        throw Error(withFile(weights.string(), userMessage(e)));
    }
    impl->unet->eval();
    impl->storedType = storedFloatType(weights);
    if (impl->storedType != at::kFloat)
        notes.push_back(dtypeName(impl->storedType) + " weights: widened to float32 on CPU, kept on CUDA");
    info.notes = joined(notes);
    info.weightsDtype = dtypeName(impl->storedType);
    for (const auto& p : impl->unet->parameters())
        info.parameters += p.numel();
    std::unique_ptr<DiffusersDenoiser> denoiser(new DiffusersDenoiser(std::move(info), std::move(impl)));
    denoiser->to(device);
    return denoiser;
}

std::shared_ptr<DiffusersUNet2DImpl> DiffusersDenoiser::network() const { return impl_->unet.ptr(); }

void DiffusersDenoiser::to(c10::Device device)
{
    Denoiser::to(device);
    // CPU kernels for half are slow or missing on LibTorch 1.13; CUDA runs the stored dtype.
    impl_->unet->to(device, device.is_cuda() ? impl_->storedType : at::kFloat);
}

at::Tensor DiffusersDenoiser::forward(const at::Tensor& x, const at::Tensor& k)
{
    const auto type = device().is_cuda() ? impl_->storedType : at::kFloat;
    at::Tensor out;
    {
        c10::InferenceMode inference; // no autograd records, no version counters (thread-local)
        out = impl_->unet->forward(x.to(type), k).narrow(1, 0, impl_->predictionChannels).to(at::kFloat);
    }
    // Inference tensors refuse in-place updates outside InferenceMode: callers get a normal one.
    return out.clone();
}

} // namespace ds
