#include "prediction.h"

#include "core/enum_names.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

constexpr EnumTable<Prediction, 3> kPredictionNames{{
    {Prediction::Epsilon, "epsilon"},
    {Prediction::X0, "x0"},
    {Prediction::V, "v"},
}};

} // namespace

std::string_view name(Prediction p) { return enumName(kPredictionNames, p); }
Prediction predictionFromString(std::string_view text) { return enumFromString(kPredictionNames, text, "prediction type"); }
std::string predictionChoices() { return enumChoices(kPredictionNames); }

at::Tensor epsilonFrom(Prediction p, const at::Tensor& out, const at::Tensor& xt, const at::Tensor& abar)
{
    switch (p) {
    case Prediction::Epsilon: return out;
    case Prediction::X0: return (xt - at::sqrt(abar) * out) / at::sqrt(1.0 - abar);
    case Prediction::V: return at::sqrt(1.0 - abar) * xt + at::sqrt(abar) * out;
    }
    return out;
}

at::Tensor x0From(Prediction p, const at::Tensor& out, const at::Tensor& xt, const at::Tensor& abar)
{
    switch (p) {
    case Prediction::Epsilon: return (xt - at::sqrt(1.0 - abar) * out) / at::sqrt(abar);
    case Prediction::X0: return out;
    case Prediction::V: return at::sqrt(abar) * xt - at::sqrt(1.0 - abar) * out;
    }
    return out;
}

at::Tensor vFrom(Prediction p, const at::Tensor& out, const at::Tensor& xt, const at::Tensor& abar)
{
    if (p == Prediction::V)
        return out;
    auto eps = epsilonFrom(p, out, xt, abar);
    auto x0 = x0From(p, out, xt, abar);
    return at::sqrt(abar) * eps - at::sqrt(1.0 - abar) * x0;
}

at::Tensor convertPrediction(Prediction from, Prediction to, const at::Tensor& out, const at::Tensor& xt,
                             const at::Tensor& abar)
{
    switch (to) {
    case Prediction::Epsilon: return epsilonFrom(from, out, xt, abar);
    case Prediction::X0: return x0From(from, out, xt, abar);
    case Prediction::V: return vFrom(from, out, xt, abar);
    }
    return out;
}

} // namespace ds
