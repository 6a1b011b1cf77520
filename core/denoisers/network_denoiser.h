#pragma once
// A LibTorch network (models/) as a Denoiser: a native checkpoint's EMA weights, or the live
// network of a training job (previews). An opened UNet checkpoint runs a frozen TorchScript copy of
// its network where that agrees with it (frozen_inference.h); other kinds, and a live network
// (its weights change), run as built.
#include "core/io/checkpoint.h"
#include "denoiser.h"

#include <memory>
#include <string>

namespace torch::jit {
struct Module;
}

namespace ds {

class NetworkDenoiser : public Denoiser {
public:
    NetworkDenoiser(Network network, DenoiserInfo info);

    // Opens a native checkpoint (.dsckpt); inference uses its EMA weights, frozen where possible.
    static std::unique_ptr<NetworkDenoiser> open(const std::string& path, c10::Device device = c10::kCPU);
    static DenoiserInfo infoFrom(const CheckpointHeader& header, const std::string& source, int64_t parameters);

    const Network& network() const { return network_; }
    // Moves the network; an opened checkpoint's frozen copy is made again on the new device.
    void to(c10::Device device) override;

    // Whether forward() runs the frozen copy; inferenceNote() says which and why ("" when never tried).
    bool frozen() const { return frozen_ != nullptr; }
    const std::string& inferenceNote() const { return inferenceNote_; }

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override;

private:
    void prepareInference();
    at::Tensor forwardAsBuilt(const at::Tensor& x, const at::Tensor& k);
    Network network_;
    bool freezes_ = false;                      // an opened checkpoint: its weights never change
    std::shared_ptr<torch::jit::Module> frozen_; // null: run network_
    std::string inferenceNote_;
};

} // namespace ds
