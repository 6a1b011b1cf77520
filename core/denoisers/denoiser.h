#pragma once
// A denoiser answers, for a noisy batch x_t and schedule indices k, what its network predicts
// (ε, x0 or v). Networks, TorchScript modules and the exact oracles all sit behind this one
// interface; samplers see only estimate(), which returns ε̂ and x̂0 together.
#include "core/data/data_range.h"
#include "core/schedule.h"
#include "prediction.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <array>
#include <cstdint>
#include <string>

namespace ds {

// What a model's network computes, which decides the samplers that can use it.
enum class ModelRole {
    Denoiser,   // ε, x0 or v from (x_t, k): every classic sampler
    DnmDelta,   // differential noise u(x_T, k) ≈ T·δ_t (seed 000): the dnm sampler
    PixelAware  // scale estimator G and parallel reverse net R (seed 002): the pixel-aware sampler
};
std::string_view name(ModelRole role);

struct DenoiserInfo {
    std::string kind;                    // e.g. "torchscript", "oracle-empirical", "oracle-gaussian"
    ModelRole role = ModelRole::Denoiser;
    std::string source;                  // file path or spec string it was opened from
    Prediction prediction = Prediction::Epsilon;
    ScheduleSpec schedule;
    std::array<int64_t, 3> shape{1, 28, 28}; // C, H, W of one sample
    DataRange range;
    std::string dataset;                 // data set it models, if known ("fashion-mnist", "two-moons", …)
    int64_t parameters = 0;              // learnable parameters (0 for oracles)
    std::string notes;                   // one line for `info` (e.g. training step)
    std::string recommendedSampler;      // registry name the model's own config suggests ("" = none)
    std::string recommendedOptions;      // JSON object of SamplerOptions fields it sets (sampler_options.h)
    std::string weightsDtype = "float32"; // dtype of the weights as stored (diffusers folders: float16, …)
};

// ε̂ and x̂0 from one network pass.
struct Estimate {
    at::Tensor eps;
    at::Tensor x0;
};

// Counters of network use, for benchmarks and the comparison view.
struct DenoiserUsage {
    int64_t passes = 0;  // calls of the network (one batch each)
    int64_t samples = 0; // images pushed through the network in total
    double seconds = 0;  // wall time inside the network calls
};

class Denoiser {
public:
    explicit Denoiser(DenoiserInfo info);
    virtual ~Denoiser() = default;
    Denoiser(const Denoiser&) = delete;
    Denoiser& operator=(const Denoiser&) = delete;

    const DenoiserInfo& info() const { return info_; }
    const Schedule& schedule() const { return schedule_; }
    c10::Device device() const { return device_; }
    virtual void to(c10::Device device);

    // The network's raw output for x [N, C, H, W] (float32, on device()) and k (int64 [N]).
    // Checks shapes and counts the pass. No autograd graph is built. Large N runs in chunks
    // of at most 4M input values, so memory stays bounded.
    at::Tensor operator()(const at::Tensor& x, const at::Tensor& k);

    // ε̂ and x̂0 at one index for the whole batch, or per-sample indices.
    Estimate estimate(const at::Tensor& x, int64_t k);
    Estimate estimate(const at::Tensor& x, const at::Tensor& k);

    const DenoiserUsage& usage() const { return usage_; }
    void resetUsage() { usage_ = {}; }
    // For samplers that call the network through another path (the pixel-aware R_φ).
    void countPass(int64_t samples, double seconds);

protected:
    virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& k) = 0;

    DenoiserInfo info_;
    Schedule schedule_;
    c10::Device device_{c10::kCPU};

private:
    void checkInput(const at::Tensor& x, const at::Tensor& k) const;
    at::Tensor forwardInChunks(const at::Tensor& x, const at::Tensor& k);
    DenoiserUsage usage_;
};

// "cpu", "cuda" or "cuda:N"; throws ds::Error when CUDA is asked for and not available.
c10::Device parseDevice(const std::string& text);

} // namespace ds
