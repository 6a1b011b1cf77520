#pragma once
// The two networks of pixel-aware accelerated diffusion (seed 002), kept in one module so one
// checkpoint holds both:
//   scale    G_θ(x_i, i) → x̂_δ ≈ x_δ = exp(−γ x̃0), a UNet regressor. The paper uses a VAE
//            (appendix C); Algorithm 1 only uses a point estimate, and the MSE-optimal one is
//            E[x_δ | x_i], which a deterministic regressor learns directly, with no sampling
//            and a fraction of the parameters.
//   reverse  R_φ(x_i, x̂_δ, i) → Z = {Z^1 … Z^T}, a UNet whose input is x_i and x̂_δ stacked as
//            channels (the paper adds x̂_δ's features inside the U-net; stacking is the
//            simplest fusion) and whose last layer has C·T channels: channel block k = j − 1
//            holds Z^j.
#include "network.h"
#include "unet.h"

namespace ds {

class PixelAwareNetImpl : public NetworkImpl {
public:
    // {"kind": "pixel-aware", "channels", "image_size", "steps" (T), "scale": {unet fields},
    //  "reverse": {unet fields}}; channel counts of the two UNets are filled in from these.
    explicit PixelAwareNetImpl(const nlohmann::json& config);
    // That config checked (std::invalid_argument naming the field) with both UNets filled in.
    static nlohmann::json normalizedConfig(const nlohmann::json& config);
    // Weights and biases of both UNets of a normalized config, without building them.
    static double parameterCount(const nlohmann::json& normalized);

    torch::Tensor scale(const torch::Tensor& x, const torch::Tensor& k);
    // [N, T, C, H, W]: Z^{k+1} at [:, k].
    torch::Tensor reverse(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& k);
    // The NetworkImpl view is the scale estimator (a tensor of x's shape).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& k) override { return scale(x, k); }
    nlohmann::json config() const override { return config_; }
    double flopsPerSample() const override; // G and R together: one Algorithm 1 pass
    int64_t steps() const { return steps_; }

private:
    nlohmann::json config_;
    int64_t steps_;
    int64_t channels_;
    UNet scale_{nullptr};
    UNet reverse_{nullptr};
};

} // namespace ds
