#pragma once
// The single seeded stream every stochastic engine call draws from.
//
// Replay contract (documented in docs/ARCHITECTURE.md): all noise is drawn with
// at::randn(shape, generator) on a CPU generator seeded with `seed` (torch's mt19937 CPU
// generator, the same one PyTorch's torch.Generator().manual_seed(seed) makes), then moved to
// the run's device. A sampler draws x_T first (unless an initial x_T is given), then one
// [N, C, H, W] tensor per step that adds noise, in step order. So a run replays in PyTorch and
// gives the same numbers on CPU and CUDA.
//
// Optionally (usePath) the steps' noise comes from a Brownian path shared between runs
// (core/brownian_noise.h): runSampler announces each step's interval (beginStep), and the
// step's first [N, C, H, W] draw is the path's z over it. Other draws (x_T, a second draw in
// one step, whole-chain samplers drawing before the steps) still come from the generator and
// are counted, so a caller can say when a run could not use the path. Without a path nothing
// changes: the replay contract above holds bit for bit.
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace ds {

class BrownianPath;

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

    // Shared noise path: from now on a step's first [N, C, H, W] draw is the path's z over the
    // step's interval (nullptr: back to the generator).
    void usePath(std::shared_ptr<const BrownianPath> path);
    const BrownianPath* path() const { return path_.get(); }
    // runSampler brackets each step: it moves the state from index `from` to `to` (−1: data).
    void beginStep(int64_t from, int64_t to);
    void endStep() { inStep_ = false; }
    int64_t pathDraws() const { return pathDraws_; }       // draws served by the path
    int64_t offPathDraws() const { return offPathDraws_; } // generator draws inside announced steps

private:
    uint64_t seed_;
    c10::Device device_;
    at::Generator generator_;
    int64_t draws_ = 0;
    std::vector<at::Tensor> recorded_; // replay mode when non-empty or replaying_
    bool replaying_ = false;
    std::shared_ptr<const BrownianPath> path_;
    int64_t stepFrom_ = 0, stepTo_ = 0;
    bool inStep_ = false;
    bool stepUsedPath_ = false;
    int64_t pathDraws_ = 0, offPathDraws_ = 0;
};

} // namespace ds
