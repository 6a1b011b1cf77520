#pragma once
// A network exported from PyTorch with torch.jit.save and a `diffscope.json` extra file:
//   {"format": 1, "prediction": "epsilon"|"x0"|"v",
//    "schedule": {"kind": "linear", "T": 1000, "beta_start": 0.0001, "beta_end": 0.02},
//    "shape": [C, H, W], "data_range": [lo, hi]}
// called as forward(x: float32[N, C, H, W], t: int64[N]) with t the 0-based schedule index
// (index k has ᾱ = alphas_cumprod[k], the diffusers convention).
#include "denoiser.h"

#include <memory>
#include <string>

namespace ds {

struct TorchScriptDenoiserImpl;

class TorchScriptDenoiser : public Denoiser {
public:
    // Loads and checks the file: zip header, extra file, header fields, every tensor's storage
    // and values, and one probe forward pass of the declared shape. Throws ds::Error naming the
    // file and the problem.
    static std::unique_ptr<TorchScriptDenoiser> load(const std::string& path, c10::Device device = c10::kCPU);
    ~TorchScriptDenoiser() override;

    // Moves the module and freezes it again on the new device (frozen weights are constants).
    void to(c10::Device device) override;

    // Whether forward() runs the frozen, optimised copy; inferenceNote() says which and why.
    bool frozen() const { return frozen_; }
    const std::string& inferenceNote() const { return inferenceNote_; }

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override;

private:
    TorchScriptDenoiser(DenoiserInfo info, std::unique_ptr<TorchScriptDenoiserImpl> impl);
    void prepareInference();
    std::unique_ptr<TorchScriptDenoiserImpl> impl_;
    bool frozen_ = false;
    std::string inferenceNote_;
};

// Parses and validates a diffscope.json header (also used for exports); `where` names the file.
DenoiserInfo parseDiffscopeHeader(const std::string& text, const std::string& where);
std::string makeDiffscopeHeader(const DenoiserInfo& info);

} // namespace ds
