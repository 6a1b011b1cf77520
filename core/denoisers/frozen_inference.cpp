#include "frozen_inference.h"

#include "core/user_message.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <torch/script.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace ds {

namespace {

// Normwise: elementwise ratios blow up where the output crosses zero.
double maxRelativeError(const at::Tensor& a, const at::Tensor& b)
{
    const double scale = b.abs().max().item<double>();
    return (a - b).abs().max().item<double>() / std::max(scale, 1e-30);
}

std::string shortNumber(double v)
{
    std::ostringstream out;
    out.precision(2);
    out << v;
    return out.str();
}

bool envIsZero(const char* name)
{
    const char* value = std::getenv(name);
    return value && std::string(value) == "0";
}

} // namespace

bool freezingDisabled()
{
    return envIsZero("DIFFSCOPE_FREEZE") || envIsZero("DIFFSCOPE_TORCHSCRIPT_FREEZE");
}

at::Tensor runScripted(torch::jit::Module& module, const at::Tensor& x, const at::Tensor& k)
{
    at::Tensor out;
    {
        c10::InferenceMode inference; // no autograd records, no version counters (thread-local)
        out = module.forward({x, k}).toTensor().to(at::kFloat);
    }
    return out.is_inference() ? out.clone() : out;
}

FrozenInference freezeForInference(const std::function<torch::jit::Module()>& script, const ForwardFn& reference,
                                   const std::array<int64_t, 3>& shape, int64_t T, c10::Device device,
                                   const std::string& fallback)
{
    if (freezingDisabled())
        return {nullptr, "not frozen (DIFFSCOPE_FREEZE=0)"};
    auto generator = at::make_generator<at::CPUGeneratorImpl>(20250415);
    const auto x = at::randn({2, shape[0], shape[1], shape[2]}, generator).to(device);
    const auto k = at::tensor({int64_t(0), std::max<int64_t>(0, T - 1)}, at::kLong).to(device);
    std::string why;
    try {
        const at::Tensor expected = reference(x, k).to(at::kFloat);
        auto frozen = std::make_shared<torch::jit::Module>();
        {
            c10::NoGradGuard noGrad;
            torch::jit::Module module = torch::jit::freeze(script());
            *frozen = torch::jit::optimize_for_inference(module);
        }
        const double error = maxRelativeError(runScripted(*frozen, x, k), expected);
        if (error <= kFrozenTolerance)
            return {frozen, "frozen + optimize_for_inference (probe max rel. error " + shortNumber(error) + ")"};
        why = "the frozen copy differs from the reference by " + shortNumber(error) + " (max relative error > 1e-5)";
    } catch (const std::exception& e) { // c10::Error, and the interpreter's std::runtime_error
        why = "freezing failed: " + userMessage(e);
    }
    return {nullptr, "not frozen, running " + fallback + ": " + why};
}

void setInferenceNote(std::string& notes, const std::string& note)
{
    const std::string tag = "inference: ";
    if (auto at = notes.find(tag); at != std::string::npos)
        notes.erase(at >= 2 ? at - 2 : at);
    notes += (notes.empty() ? "" : "; ") + tag + note;
}

} // namespace ds
