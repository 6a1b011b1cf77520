#include "time_embedding.h"

#include <cmath>

namespace ds {

torch::Tensor sinusoidalEmbedding(const torch::Tensor& k, int64_t dim)
{
    TORCH_CHECK(dim % 2 == 0 && dim >= 4, "time embedding dimension must be even and >= 4");
    const int64_t half = dim / 2;
    auto options = torch::TensorOptions().dtype(torch::kFloat).device(k.device());
    auto freqs = torch::exp(-std::log(10000.0) * torch::arange(half, options) / double(half - 1));
    auto args = k.to(torch::kFloat).unsqueeze(1) * freqs.unsqueeze(0);
    return torch::cat({torch::sin(args), torch::cos(args)}, 1);
}

} // namespace ds
