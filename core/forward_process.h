#pragma once
// The forward (noising) process q(x_t | x0) under any schedule.
#include "enum_names.h"
#include "noise_source.h"
#include "schedule.h"
#include "trajectory.h"

#include <ATen/core/Tensor.h>

#include <functional>

namespace ds {

// How a forward trajectory is drawn.
enum class ForwardMode {
    ClosedForm,   // each frame an independent draw x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε_t (marginals)
    Markov,       // the chain x_t = √α_t x_{t−1} + √β_t ε_t, one fresh ε per step
    SharedEpsilon // the DNM path (seed 000): x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε with one ε for all t
};
std::string_view name(ForwardMode mode);
ForwardMode forwardModeFromString(std::string_view text);
std::string forwardModeChoices();

// x_t = √ᾱ_k x0 + √(1 − ᾱ_k) ε at index k (closed form of q(x_t | x0)).
at::Tensor diffuse(const Schedule& schedule, const at::Tensor& x0, int64_t k, const at::Tensor& eps);
// The same with one index per sample: k is int64 [N].
at::Tensor diffuse(const Schedule& schedule, const at::Tensor& x0, const at::Tensor& k, const at::Tensor& eps);

// One Markov step from index k−1 to k: x_k = √α_k x_{k−1} + √(1 − α_k) ε.
at::Tensor markovStep(const Schedule& schedule, const at::Tensor& xPrev, const at::Tensor& x0, int64_t k,
                      const at::Tensor& eps);

struct ForwardOptions {
    ForwardMode mode = ForwardMode::ClosedForm;
    int64_t every = 1; // keep every n-th frame (t = 0 and t = T are always kept)
    Trajectory::Storage storage = Trajectory::Storage::Float32;
};

// Frames t = 0..T of x0 [N, C, H, W]. Noise is drawn from `noise` in step order (Markov,
// closed form) or once (shared ε). `keepGoing`, if set, is asked after each step and may stop.
Trajectory forwardTrajectory(const Schedule& schedule, const at::Tensor& x0, const ForwardOptions& options,
                             NoiseSource& noise, const std::function<bool(int64_t t)>& keepGoing = {});

} // namespace ds
