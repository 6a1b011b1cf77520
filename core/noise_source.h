#pragma once
// The single seeded stream every stochastic engine call draws from.
//
// Replay contract (documented in docs/ARCHITECTURE.md): all noise is drawn with
// at::randn(shape, generator) on a CPU generator seeded with `seed` (torch's mt19937 CPU
// generator, the same one PyTorch's torch.Generator().manual_seed(seed) makes), then moved to
// the run's device. A sampler draws x_T first (unless an initial x_T is given), then one
// [N, C, H, W] tensor per step that adds noise, in step order. So a run replays in PyTorch and
// gives the same numbers on CPU and CUDA.
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

namespace ds {

class NoiseSource {
public:
    explicit NoiseSource(uint64_t seed, c10::Device device = c10::Device(c10::kCPU));
    // Hands out recorded draws in order instead of drawing (each must have the shape asked
    // for; running out is a ds::Error): replays another program's run draw for draw, e.g.
    // diffusers' reference loops or `--noise FILE.npy`.
    static NoiseSource replaying(std::vector<at::Tensor> draws, c10::Device device = c10::Device(c10::kCPU));

    // Standard normal tensor of `shape`, float32, on the run's device.
    at::Tensor normal(at::IntArrayRef shape);
    uint64_t seed() const { return seed_; }
    c10::Device device() const { return device_; }
    int64_t draws() const { return draws_; }

private:
    uint64_t seed_;
    c10::Device device_;
    at::Generator generator_;
    int64_t draws_ = 0;
    std::vector<at::Tensor> recorded_; // replay mode when non-empty or replaying_
    bool replaying_ = false;
};

} // namespace ds
