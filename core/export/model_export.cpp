#include "model_export.h"

#include "core/denoisers/diffusers_model.h"
#include "core/denoisers/network_denoiser.h"
#include "core/denoisers/torchscript_denoiser.h"
#include "models/error.h"
#include "core/io/atomic_file.h"
#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"
#include "core/user_message.h"

#include "models/diffusers_unet.h"
#include "models/script_export.h"

#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <sstream>
#include <unistd.h>

namespace ds {
namespace {

namespace fs = std::filesystem;

constexpr double kExportTolerance = 1e-4;
constexpr const char* kDiffusersVersion = "0.27.2"; // the version the fixtures and golden values come from

// Saves `module` with its diffscope.json header atomically (to memory first: see checkpoint.cpp).
void saveWithHeader(torch::jit::Module& module, const DenoiserInfo& info, const std::string& outPath)
{
    std::ostringstream bytes;
    module.save(bytes, {{"diffscope.json", makeDiffscopeHeader(info)}});
    const auto text = bytes.str();
    writeFileAtomically(outPath, [&](std::ostream& out) { out.write(text.data(), std::streamsize(text.size())); });
}

// Loads the written file back as diffscope does and runs it beside `reference` on a random batch.
ExportCheck checkExport(const std::string& outPath, const DenoiserInfo& info, int64_t batch,
                        const std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>& reference)
{
    auto exported = TorchScriptDenoiser::load(outPath);
    const auto& s = info.shape;
    auto x = at::randn({batch, s[0], s[1], s[2]});
    auto k = at::randint(0, info.schedule.T, {batch}, at::kLong);
    c10::NoGradGuard noGrad;
    const at::Tensor expected = reference(x, k);
    ExportCheck check;
    check.parameters = exported->info().parameters;
    check.maxDifference = ((*exported)(x, k) - expected).abs().max().item<double>();
    // Relative to the output's size: a large UNet's outputs are not O(1).
    const double scale = std::max(1.0, expected.abs().max().item<double>());
    require(check.maxDifference < kExportTolerance * scale, outPath, ": the exported module disagrees with its source by ",
            check.maxDifference);
    return check;
}

ExportCheck exportDiffusersFolder(const std::string& folder, const std::string& outPath)
{
    auto model = DiffusersDenoiser::open(folder);
    auto info = model->info();
    const auto net = model->network();
    auto module = withContext(folder + ": ", [&] { return net->exportScript(info.shape[0]); });
    saveWithHeader(module, info, outPath);
    return checkExport(outPath, info, 2, [&](const at::Tensor& x, const at::Tensor& k) { return (*model)(x, k); });
}

} // namespace

ExportCheck exportTorchScript(const std::string& checkpointPath, const std::string& outPath)
{
    std::error_code ec;
    if (fs::is_directory(checkpointPath, ec))
        return exportDiffusersFolder(checkpointPath, outPath);
    auto checkpoint = loadCheckpoint(checkpointPath);
    require(checkpoint.header.kind == "denoiser", checkpointPath + ": only denoisers export to TorchScript");
    auto module = withContext(checkpointPath + ": ", [&] { return exportToTorchScript(*checkpoint.ema); });
    auto info = NetworkDenoiser::infoFrom(checkpoint.header, outPath, checkpoint.ema->parameterCount());
    saveWithHeader(module, info, outPath);
    return checkExport(outPath, info, 4,
                       [&](const at::Tensor& x, const at::Tensor& k) { return checkpoint.ema->forward(x, k); });
}

void writeSlimCheckpoint(const std::string& checkpointPath, const std::string& outPath)
{
    auto checkpoint = loadCheckpoint(checkpointPath);
    auto header = checkpoint.header;
    header.trainingState = false;
    saveCheckpoint(outPath, header, CheckpointContents::emaOnly(checkpoint.ema.get()));
}

// ---- native checkpoint → diffusers folder ----

namespace {

std::string predictionType(Prediction p)
{
    switch (p) {
    case Prediction::Epsilon: return "epsilon";
    case Prediction::X0: return "sample";
    case Prediction::V: return "v_prediction";
    }
    return "epsilon";
}

// β_k = 1 − ᾱ_k / ᾱ_{k−1} (ᾱ_{−1} = 1).
std::vector<double> betasFromAlphaBars(const std::vector<double>& abar)
{
    std::vector<double> betas(abar.size());
    for (size_t k = 0; k < abar.size(); ++k)
        betas[k] = 1.0 - abar[k] / (k == 0 ? 1.0 : abar[k - 1]);
    return betas;
}

// The schedule as DDPMScheduler fields: a named beta_schedule where diffusers computes the same
// betas from it (squaredcos_cap_v2 is the cosine schedule with s = 0.008, β ≤ 0.999), else the
// table as trained_betas.
void writeSchedule(nlohmann::json& j, const ScheduleSpec& s, const std::string& where)
{
    require(s.kind != ScheduleKind::PixelAware,
            where, ": a per-pixel (pixel-aware) schedule has no diffusers scheduler config");
    j["num_train_timesteps"] = s.T;
    j["beta_start"] = s.betaStart;
    j["beta_end"] = s.betaEnd;
    j["trained_betas"] = nullptr;
    j["rescale_betas_zero_snr"] = s.rescaleZeroTerminalSnr;
    switch (s.kind) {
    case ScheduleKind::Linear: j["beta_schedule"] = "linear"; return;
    case ScheduleKind::ScaledLinear: j["beta_schedule"] = "scaled_linear"; return;
    case ScheduleKind::Sigmoid: j["beta_schedule"] = "sigmoid"; return;
    case ScheduleKind::Cosine:
        if (s.cosineOffset == 0.008) {
            j["beta_schedule"] = "squaredcos_cap_v2";
            return;
        }
        break;
    default: break;
    }
    ScheduleSpec plain = s; // trained_betas are the betas before any zero-SNR rescaling
    plain.rescaleZeroTerminalSnr = false;
    const auto betas = s.kind == ScheduleKind::Betas          ? s.values
                       : s.kind == ScheduleKind::AlphasCumprod ? betasFromAlphaBars(s.values)
                                                               : std::vector<double>();
    if (!betas.empty()) {
        j["trained_betas"] = betas;
    } else {
        const at::Tensor table = Schedule(plain).betas().contiguous();
        j["trained_betas"] = std::vector<double>(table.data_ptr<double>(), table.data_ptr<double>() + table.numel());
    }
    j["beta_schedule"] = "linear"; // ignored by diffusers when trained_betas is set
}

// Clipping x̂0 is right only for data known to lie in [−r, r]: images in a symmetric range.
bool clipsSamples(const CheckpointHeader& h)
{
    const bool image = h.shape[1] * h.shape[2] > 1;
    return image && h.range.valid() && h.range.lo == -h.range.hi;
}

nlohmann::json schedulerConfig(const CheckpointHeader& h, const std::string& where)
{
    nlohmann::json j{{"_class_name", "DDPMScheduler"},  {"_diffusers_version", kDiffusersVersion},
                     {"variance_type", "fixed_small"},   {"prediction_type", predictionType(h.prediction)},
                     {"clip_sample", clipsSamples(h)},   {"clip_sample_range", clipsSamples(h) ? h.range.hi : 1.0},
                     {"thresholding", false},            {"dynamic_thresholding_ratio", 0.995},
                     {"sample_max_value", 1.0},          {"timestep_spacing", "leading"},
                     {"steps_offset", 0}};
    writeSchedule(j, h.schedule, where);
    return j;
}

void writeJson(const fs::path& path, const nlohmann::json& j)
{
    writeFileAtomically(path.string(), [&](std::ostream& out) { out << j.dump(2) << '\n'; });
}

// FOLDER/ → FOLDER, so FOLDER.tmp-<pid> sits beside it.
std::string withoutTrailingSlash(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

} // namespace

void writeDiffusersUNet(const DiffusersUNet2DImpl& unet, const nlohmann::json& config, const std::string& unetFolder)
{
    TensorMap weights;
    for (const auto& [name, tensor] : diffusersStateDict(unet))
        weights[name] = tensor.detach().to(tensor.is_floating_point() ? at::kFloat : tensor.scalar_type());
    const fs::path folder(unetFolder);
    writeSafetensors((folder / "diffusion_pytorch_model.safetensors").string(), weights, {{"format", "pt"}});
    writeJson(folder / "config.json", config);
}

ConvertSummary writeDiffusersFolder(const std::string& checkpointPath, const std::string& folderIn)
{
    const std::string folder = withoutTrailingSlash(folderIn);
    std::error_code ec;
    require(!fs::exists(folder, ec), folder, ": already exists; convert writes a new folder (remove it or choose another)");
    auto checkpoint = loadCheckpoint(checkpointPath);
    const auto& h = checkpoint.header;
    const auto kind = h.network.value("kind", std::string("?"));
    require(h.kind == "denoiser", checkpointPath, ": is a '", h.kind, "' checkpoint; only denoisers convert to diffusers");
    const auto unet = std::dynamic_pointer_cast<DiffusersUNet2DImpl>(checkpoint.ema);
    require(unet != nullptr, checkpointPath, ": network kind '", kind,
            "' does not convert to a diffusers folder; only network kind 'diffusers-unet' does (train one with --network "
            "'{\"kind\": \"diffusers-unet\", \"config\": {...UNet2DModel config...}}')");
    auto config = unet->unetConfig().toJson();
    config["_diffusers_version"] = kDiffusersVersion;
    config["in_channels"] = h.shape[0];
    config["sample_size"] = h.shape[1] == h.shape[2] ? nlohmann::json(h.shape[1]) : nlohmann::json({h.shape[1], h.shape[2]});
    const auto scheduler = schedulerConfig(h, checkpointPath);
    const nlohmann::json index{{"_class_name", "DDPMPipeline"},
                               {"_diffusers_version", kDiffusersVersion},
                               {"scheduler", {"diffusers", "DDPMScheduler"}},
                               {"unet", {"diffusers", "UNet2DModel"}}};

    const fs::path temp = folder + ".tmp-" + std::to_string(::getpid());
    fs::remove_all(temp, ec);
    try {
        require(fs::create_directories(temp / "unet", ec) && fs::create_directories(temp / "scheduler", ec),
                temp.string(), ": cannot create the folder: ", ec.message());
        writeDiffusersUNet(*unet, config, (temp / "unet").string());
        writeJson(temp / "scheduler" / "scheduler_config.json", scheduler);
        writeJson(temp / "model_index.json", index);
        fs::rename(temp, folder, ec);
        require(!ec, folder, ": cannot rename ", temp.string(), " to it: ", ec.message());
    } catch (...) {
        fs::remove_all(temp, ec);
        throw;
    }
    ConvertSummary summary;
    summary.parameters = checkpoint.ema->parameterCount();
    summary.betaSchedule = scheduler["trained_betas"].is_null() ? scheduler["beta_schedule"].get<std::string>() : "trained_betas";
    summary.clipSample = scheduler["clip_sample"].get<bool>();
    return summary;
}

} // namespace ds
