#pragma once
// What a network predicts, and the exact conversions between the parameterisations.
// With x_t = √ᾱ x0 + √(1−ᾱ) ε and v = √ᾱ ε − √(1−ᾱ) x0 (Salimans & Ho 2022):
//   x0 = (x_t − √(1−ᾱ) ε)/√ᾱ        ε = (x_t − √ᾱ x0)/√(1−ᾱ)
//   x0 = √ᾱ x_t − √(1−ᾱ) v          ε = √(1−ᾱ) x_t + √ᾱ v
// ᾱ is any tensor that broadcasts against x_t (scalar or per pixel).
#include <ATen/core/Tensor.h>

#include <string>
#include <string_view>

namespace ds {

enum class Prediction { Epsilon, X0, V };
std::string_view name(Prediction p);
Prediction predictionFromString(std::string_view text);
std::string predictionChoices();

at::Tensor epsilonFrom(Prediction p, const at::Tensor& output, const at::Tensor& xt, const at::Tensor& alphaBar);
at::Tensor x0From(Prediction p, const at::Tensor& output, const at::Tensor& xt, const at::Tensor& alphaBar);
at::Tensor vFrom(Prediction p, const at::Tensor& output, const at::Tensor& xt, const at::Tensor& alphaBar);
// Converts a network output from one parameterisation to another.
at::Tensor convertPrediction(Prediction from, Prediction to, const at::Tensor& output, const at::Tensor& xt,
                             const at::Tensor& alphaBar);

} // namespace ds
