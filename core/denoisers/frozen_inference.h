#pragma once
// Inference through a frozen TorchScript copy of a network. torch::jit::freeze inlines the weights
// as graph constants (eval mode only); optimize_for_inference then folds conv+BN and conv+add/relu,
// transposes linear weights and, where the LibTorch build has oneDNN, runs convolutions in its
// blocked layouts: the demo UNet's call at batch 4 drops from 46 to 26 ms on one CPU thread
// (docs/benchmarks.md, issue 15); not every network gains (network_denoiser.cpp says which do).
// The copy is used only where it agrees with the reference forward on a seeded probe,
// max |a − b| / max |b| ≤ kFrozenTolerance (conv folding changes the summation order, so float32
// agrees to ~1e-7 of the output's scale, not bit for bit).
// DIFFSCOPE_FREEZE=0 turns the copy off everywhere (side-by-side timings, bit-exact comparisons).
#include <ATen/ATen.h>

#include <array>
#include <functional>
#include <memory>
#include <string>

namespace torch::jit {
struct Module;
}

namespace ds {

constexpr double kFrozenTolerance = 1e-5;

using ForwardFn = std::function<at::Tensor(const at::Tensor& x, const at::Tensor& k)>;

struct FrozenInference {
    std::shared_ptr<torch::jit::Module> module; // the accepted copy; null: run the reference
    std::string note;                           // "frozen + optimize_for_inference (…)" or "not frozen, …: why"
};

// Freezes what `script` returns (it may throw: a network that cannot be scripted) and checks it
// against `reference` on x ~ N(0, 1) [2, C, H, W] (seeded) at k = 0 and T − 1, on `device`.
// `fallback` says what runs instead ("the module as saved"), for the note.
FrozenInference freezeForInference(const std::function<torch::jit::Module()>& script, const ForwardFn& reference,
                                   const std::array<int64_t, 3>& shape, int64_t T, c10::Device device,
                                   const std::string& fallback);

// forward(x, k) of a scripted module under InferenceMode, as float32, outside inference mode
// (callers may update it in place). Throws what the interpreter throws.
at::Tensor runScripted(torch::jit::Module& module, const at::Tensor& x, const at::Tensor& k);

bool freezingDisabled(); // DIFFSCOPE_FREEZE=0 (or the older DIFFSCOPE_TORCHSCRIPT_FREEZE=0)

// Sets the "inference: …" part of a DenoiserInfo::notes line (always its last part).
void setInferenceNote(std::string& notes, const std::string& note);

} // namespace ds
