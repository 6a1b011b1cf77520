#include "network_denoiser.h"

#include "models/error.h"
#include "frozen_inference.h"
#include "models/script_export.h"

#include <c10/core/InferenceMode.h>
#include <torch/nn/module.h>
#include <torch/csrc/jit/api/module.h>

namespace ds {

NetworkDenoiser::NetworkDenoiser(Network network, DenoiserInfo info) : Denoiser(std::move(info)), network_(std::move(network))
{
    require(network_ != nullptr, "no network");
}

DenoiserInfo NetworkDenoiser::infoFrom(const CheckpointHeader& header, const std::string& source, int64_t parameters)
{
    DenoiserInfo info;
    info.kind = "native:" + header.network.value("kind", std::string("?"));
    info.role = header.kind == "dnm"           ? ModelRole::DnmDelta
        : header.kind == "pixel-aware"         ? ModelRole::PixelAware
                                               : ModelRole::Denoiser;
    info.source = source;
    info.prediction = header.prediction;
    info.schedule = header.schedule;
    info.shape = header.shape;
    info.range = header.range;
    info.dataset = header.dataset;
    info.parameters = parameters;
    info.notes = "step " + std::to_string(header.step) + (header.created.empty() ? "" : ", saved " + header.created)
        + (header.trainingState ? ", resumable" : ", EMA weights only");
    return info;
}

std::unique_ptr<NetworkDenoiser> NetworkDenoiser::open(const std::string& path, c10::Device device)
{
    auto checkpoint = loadCheckpoint(path);
    const auto& kind = checkpoint.header.kind;
    require(kind == "denoiser" || kind == "dnm" || kind == "pixel-aware",
            path + ": is a '" + kind + "' checkpoint, not a diffusion model");
    auto info = infoFrom(checkpoint.header, path, checkpoint.ema->parameterCount());
    auto denoiser = std::make_unique<NetworkDenoiser>(checkpoint.ema, std::move(info));
    denoiser->network_->eval();
    denoiser->freezes_ = true;
    denoiser->to(device); // also freezes (prepareInference)
    return denoiser;
}

void NetworkDenoiser::to(c10::Device device)
{
    Denoiser::to(device);
    network_->to(device);
    if (freezes_)
        prepareInference(); // the frozen copy holds its weights as constants on the old device
}

void NetworkDenoiser::prepareInference()
{
    // Measured (docs/benchmarks.md, issue 15): frozen, the demo UNet's call is 1.8–4× faster on
    // one CPU thread; an MLP's was 7–10% slower at batch 2000, and a CIFAR-sized diffusers
    // UNet2DModel's 4% slower with 3.4× its weights in memory at load. So only UNets freeze.
    if (info_.kind != "native:unet") {
        frozen_ = nullptr;
        inferenceNote_ = "not frozen, running the network as built: only UNets are faster frozen";
        setInferenceNote(info_.notes, inferenceNote_);
        return;
    }
    auto copy = freezeForInference([this] { return exportToTorchScript(*network_); },
                                   [this](const at::Tensor& x, const at::Tensor& k) { return forwardAsBuilt(x, k); },
                                   info_.shape, info_.schedule.T, device_, "the network as built");
    frozen_ = copy.module;
    inferenceNote_ = copy.note;
    setInferenceNote(info_.notes, copy.note);
}

at::Tensor NetworkDenoiser::forwardAsBuilt(const at::Tensor& x, const at::Tensor& k)
{
    at::Tensor out;
    {
        c10::InferenceMode inference; // no autograd records, no version counters (thread-local)
        out = network_->forward(x, k);
    }
    // Inference tensors refuse in-place updates outside InferenceMode: callers get a normal one.
    return out.is_inference() ? out.clone() : out;
}

at::Tensor NetworkDenoiser::forward(const at::Tensor& x, const at::Tensor& k)
{
    return frozen_ ? runScripted(*frozen_, x, k) : forwardAsBuilt(x, k);
}

} // namespace ds
