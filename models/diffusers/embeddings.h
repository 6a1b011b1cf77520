#pragma once
// diffusers' timestep embeddings (embeddings.py): the projection `time_proj` of t to a vector of
// width d = block_out_channels[0] and the MLP `time_embedding` (linear_1, SiLU, linear_2).
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>

namespace ds::diffusers {

class SourceWriter;

enum class TimeProjectionKind { Positional, Fourier, Learned };

// positional (get_timestep_embedding, in float32 whatever the model's dtype):
//   ω_i = exp(−ln(10⁴) · i / (d/2 − freq_shift)), i < d/2;  e = [sin(tω), cos(tω)] ([cos, sin]
//   when flipped), zero-padded to odd d.
// fourier (GaussianFourierProjection, scale 16, log): e = [sin(2π ln(σ) w), cos(2π ln(σ) w)], w
//   the parameter `weight` [d]; output width 2d.
// learned (nn.Embedding): e = weight[t], `weight` [num_train_timesteps, d].
class TimeProjectionImpl : public torch::nn::Module {
public:
    TimeProjectionImpl(TimeProjectionKind kind, int64_t dim, bool flipSinToCos, double freqShift, int64_t tableSize);
    at::Tensor forward(const at::Tensor& t); // t [N] → [N, outputDim()]
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& t) const;
    int64_t outputDim() const { return kind_ == TimeProjectionKind::Fourier ? 2 * dim_ : dim_; }
    TimeProjectionKind kind() const { return kind_; }

private:
    TimeProjectionKind kind_;
    int64_t dim_;
    bool flip_;
    double freqShift_;
    at::Tensor weight_;
};
TORCH_MODULE(TimeProjection);

// emb = linear_2(SiLU(linear_1(e))).
class TimestepEmbeddingImpl : public torch::nn::Module {
public:
    TimestepEmbeddingImpl(int64_t in, int64_t dim);
    at::Tensor forward(const at::Tensor& e);
    std::string writeScript(SourceWriter& w, const std::string& path, const std::string& e) const;

private:
    torch::nn::Linear linear1_{nullptr}, linear2_{nullptr};
};
TORCH_MODULE(TimestepEmbedding);

} // namespace ds::diffusers
