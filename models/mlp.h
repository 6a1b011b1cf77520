#pragma once
// A residual MLP for 2D (or any small flat) data: [x, time embedding] → hidden layers → x's
// shape. Inputs are [N, D, 1, 1] so toys share the image code paths.
#include "network.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>

namespace torch::jit {
struct Module;
}

namespace ds {

struct MlpConfig {
    int64_t dims = 2;       // data dimensions D
    int64_t hidden = 128;   // width of every hidden layer
    int64_t layers = 3;     // hidden layers (each residual after the first)
    int64_t timeDim = 32;   // sinusoidal embedding width

    nlohmann::json toJson() const;
    // Throws std::invalid_argument naming the field (wrong type, out of range, over budget).
    static MlpConfig fromJson(const nlohmann::json& j);
    double parameterCount() const; // of the network this config builds, without building it
};

class MlpImpl : public NetworkImpl {
public:
    explicit MlpImpl(const MlpConfig& config);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& k) override;
    nlohmann::json config() const override { return config_.toJson(); }
    double flopsPerSample() const override;
    // A TorchScript module with the same weights and forward (mlp_script.cpp).
    torch::jit::Module exportScript() const;

private:
    MlpConfig config_;
    torch::nn::Linear input_{nullptr}, output_{nullptr};
    torch::nn::ModuleList hidden_;
};
TORCH_MODULE(Mlp);

} // namespace ds
