#pragma once
// Sinusoidal timestep embedding (Vaswani et al. 2017, as in DDPM):
//   emb[i] = sin(k · ω_i), emb[i + d/2] = cos(k · ω_i), ω_i = 10000^{−i/(d/2 − 1)}.
#include <torch/types.h>

namespace ds {

// k: int64 or float [N]; returns float32 [N, dim] (dim even).
torch::Tensor sinusoidalEmbedding(const torch::Tensor& k, int64_t dim);

} // namespace ds
