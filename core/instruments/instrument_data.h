#pragma once
// The data the instruments measure a model on, shared by diffscope-cli (health, roundtrip) and
// the app's dialogs, so both report the same numbers for the same seed: held-out images (the
// Gaussian oracle's own law, drawn with seed + 1, or the first items of the model's held-out
// split), the exact empirical oracle over the first training items, and training images for
// the memorisation check. In the app, call these on the engine thread.
#include "core/denoisers/denoiser.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>

namespace ds {

// [count, C, H, W] in the model's range, from `dataset` (empty: the model's held-out split).
// Throws ds::Error when the model names no data set and none is given.
at::Tensor heldOutImages(Denoiser& model, int64_t count, uint64_t seed, const std::string& dataset = "");

// The reference oracle for the model's data: the Gaussian oracle itself (reference = &model,
// nothing returned), the empirical posterior mean over the first `count` training items, or
// none (reference = nullptr) when the data set is unknown or count < 1.
std::unique_ptr<Denoiser> referenceOracle(Denoiser& model, int64_t count, Denoiser*& reference);

// The first `count` items of the model's training set, [count, C, H, W]; undefined when the
// model names none (the Gaussian oracle, a model without a data set).
at::Tensor trainingImages(const DenoiserInfo& info, int64_t count);

// Images from a file for this model: .npy [N, C, H, W] (or [C, H, W]) in the model's range, or
// a PNG/JPEG mapped to the range (gray when the model has one channel) at the model's size.
at::Tensor imagesFromFile(const std::string& path, const DenoiserInfo& info);

} // namespace ds
