#pragma once
// A LibTorch network (models/) as a Denoiser: a native checkpoint's EMA weights, or the live
// network of a training job (previews).
#include "core/io/checkpoint.h"
#include "denoiser.h"

#include <memory>
#include <string>

namespace ds {

class NetworkDenoiser : public Denoiser {
public:
    NetworkDenoiser(Network network, DenoiserInfo info);

    // Opens a native checkpoint (.dsckpt); inference uses its EMA weights.
    static std::unique_ptr<NetworkDenoiser> open(const std::string& path, c10::Device device = c10::kCPU);
    static DenoiserInfo infoFrom(const CheckpointHeader& header, const std::string& source, int64_t parameters);

    const Network& network() const { return network_; }
    void to(c10::Device device) override;

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override;

private:
    Network network_;
};

} // namespace ds
