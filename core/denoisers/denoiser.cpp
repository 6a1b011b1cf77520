#include "denoiser.h"

#include "models/error.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <vector>

namespace ds {

std::string_view name(ModelRole role)
{
    switch (role) {
    case ModelRole::Denoiser: return "denoiser";
    case ModelRole::DnmDelta: return "dnm";
    case ModelRole::PixelAware: return "pixel-aware";
    }
    return "?";
}

void Denoiser::countPass(int64_t samples, double seconds)
{
    usage_.passes += 1;
    usage_.samples += samples;
    usage_.seconds += seconds;
}

Denoiser::Denoiser(DenoiserInfo info) : info_(std::move(info)), schedule_(info_.schedule, info_.range) {}

void Denoiser::to(c10::Device device) { device_ = device; }

void Denoiser::checkInput(const at::Tensor& x, const at::Tensor& k) const
{
    const auto& s = info_.shape;
    require(x.dim() == 4 && x.size(1) == s[0] && x.size(2) == s[1] && x.size(3) == s[2],
            info_.source, ": expects inputs [N, ", s[0], ", ", s[1], ", ", s[2], "], got ", x.sizes());
    require(k.dim() == 1 && k.size(0) == x.size(0), "timestep indices must be int64 [N] matching the batch");
}

at::Tensor Denoiser::operator()(const at::Tensor& x, const at::Tensor& k)
{
    checkInput(x, k);
    c10::NoGradGuard noGrad; // thread-local: opened on the calling (worker) thread
    const auto start = std::chrono::steady_clock::now();
    auto out = forwardInChunks(x.to(device_, at::kFloat), k.to(device_, at::kLong));
    usage_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    usage_.passes += 1;
    usage_.samples += x.size(0);
    require(out.sizes() == x.sizes(), info_.source, ": network output ", out.sizes(), " does not match its input ",
            x.sizes());
    return out;
}

// Batches of many rows (DNM's L·N, a Picard window) go through in chunks of at most
// kChunkElements input values: a UNet keeps every skip activation of the batch alive, so one
// 64 000-row pass needs tens of GB. Inference has no cross-sample ops, so the result is the
// same; the chunks count as one pass (they are independent, one sequential round).
at::Tensor Denoiser::forwardInChunks(const at::Tensor& x, const at::Tensor& k)
{
    constexpr int64_t kChunkElements = int64_t(1) << 22;
    const int64_t perItem = x.size(0) > 0 ? x.numel() / x.size(0) : 1;
    const int64_t rows = std::max<int64_t>(1, kChunkElements / std::max<int64_t>(1, perItem));
    if (x.size(0) <= rows)
        return forward(x, k);
    std::vector<at::Tensor> parts;
    for (int64_t begin = 0; begin < x.size(0); begin += rows) {
        const int64_t n = std::min(rows, x.size(0) - begin);
        parts.push_back(forward(x.narrow(0, begin, n), k.narrow(0, begin, n)));
    }
    return at::cat(parts);
}

Estimate Denoiser::estimate(const at::Tensor& x, int64_t k)
{
    return estimate(x, at::full({x.size(0)}, k, at::TensorOptions().dtype(at::kLong)));
}

Estimate Denoiser::estimate(const at::Tensor& x, const at::Tensor& k)
{
    auto out = (*this)(x, k);
    const auto p = info_.prediction;
    if (schedule_.perPixel()) {
        // ᾱ depends on the clean image: convert through the model's own x̂0 (plug-in estimate).
        require(p == Prediction::X0, info_.source + ": a pixel-aware model must predict x0 to be sampled");
        return {epsilonFrom(p, out, x, schedule_.alphaBar(k, out)), out};
    }
    auto abar = schedule_.alphaBar(k, x);
    return {epsilonFrom(p, out, x, abar), x0From(p, out, x, abar)};
}

c10::Device parseDevice(const std::string& text)
{
    c10::Device device(c10::kCPU);
    try {
        device = c10::Device(text);
    } catch (const std::exception&) {
        throw Error("unknown device '" + text + "' (expected cpu, cuda or cuda:N)");
    }
    require(device.is_cpu() || device.is_cuda(), "unsupported device '" + text + "' (expected cpu or cuda)");
    require(device.is_cpu() || at::hasCUDA(),
            "device '" + text + "' asked for, but this build of LibTorch has no CUDA or no GPU is visible");
    return device;
}

} // namespace ds
