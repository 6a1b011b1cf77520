#pragma once
// What a training step minimises. The loop around it (optimizer, EMA, checkpoints, resume,
// cancellation) is the same for all; an objective draws its batch from the run's generator in
// a fixed order and returns the loss.
//   denoise         L_simple: ‖target − net(√ᾱ x0 + √(1−ᾱ) ε, k)‖², target ε, x0 or v
//   dnm-naive       seed 000 as written: u(x_T, t) ≈ T·δ_t on pairs of the shared-ε path
//   dnm-distilled   the same network on deterministic DDIM trajectories of a trained teacher
//   pixel-aware     seed 002: G_θ (MSE on x_δ) + R_φ (masked per-step loss, eq. 15)
#include "training_config.h"

#include "core/schedule.h"
#include "models/network.h"

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <array>
#include <memory>
#include <string>

namespace ds {

struct TrainingContext {
    const TrainingConfig& config;
    NetworkImpl& network;
    const Schedule& schedule;
    const at::Tensor& data; // [M, C, H, W] on device
    at::Generator& generator;
    c10::Device device;
};

class Objective {
public:
    virtual ~Objective() = default;
    // Called once the data is loaded, before the first step (also after a resume).
    virtual void prepare(TrainingContext&) {}
    virtual at::Tensor loss(TrainingContext& context) = 0;
    // The checkpoint kind the trained network is saved as ("denoiser", "dnm", "pixel-aware").
    virtual std::string checkpointKind() const = 0;
};

std::unique_ptr<Objective> makeObjective(const TrainingConfig& config);

// Eq. 15 with the channel mask of eq. 14: Z and targets are [N, T, C, H, W], channel block k
// holds step j = k + 1, and sample n's loss counts only blocks k < i_n (i.e. j ≤ i_n; the
// blocks k ≥ i_n are ignored). Mean over the counted elements.
at::Tensor maskedReverseLoss(const at::Tensor& Z, const at::Tensor& targets, const at::Tensor& i);

} // namespace ds
