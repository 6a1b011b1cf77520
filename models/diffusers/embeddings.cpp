#include "models/diffusers/embeddings.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ds::diffusers {

TimeProjectionImpl::TimeProjectionImpl(TimeProjectionKind kind, int64_t dim, bool flipSinToCos, double freqShift,
                                       int64_t tableSize)
    : kind_(kind), dim_(dim), flip_(flipSinToCos), freqShift_(freqShift)
{
    if (kind == TimeProjectionKind::Fourier) // fixed random features, σ-scale 16 (not trained)
        weight_ = register_parameter("weight", at::randn({dim}) * 16.0, /*requires_grad=*/false);
    else if (kind == TimeProjectionKind::Learned)
        weight_ = register_parameter("weight", at::randn({tableSize, dim}));
}

at::Tensor TimeProjectionImpl::forward(const at::Tensor& t)
{
    if (kind_ == TimeProjectionKind::Learned) {
        const at::Tensor index = t.to(at::kLong);
        if (index.numel() > 0 && (index.min().item<int64_t>() < 0 || index.max().item<int64_t>() >= weight_.size(0)))
            throw Error("UNet2DModel: a timestep lies outside the learned embedding's 0.." +
                        std::to_string(weight_.size(0) - 1));
        return weight_.index_select(0, index);
    }
    if (kind_ == TimeProjectionKind::Fourier) {
        const at::Tensor proj = t.to(weight_.dtype()).log().unsqueeze(1) * weight_.unsqueeze(0) * (2 * M_PI);
        return at::cat({proj.sin(), proj.cos()}, 1);
    }
    const int64_t half = dim_ / 2;
    const at::Tensor i = at::arange(half, t.options().dtype(at::kFloat));
    const at::Tensor freqs = at::exp(i * float(-std::log(10000.0)) / float(half - freqShift_));
    const at::Tensor arg = t.to(at::kFloat).unsqueeze(1) * freqs.unsqueeze(0);
    at::Tensor e = flip_ ? at::cat({arg.cos(), arg.sin()}, 1) : at::cat({arg.sin(), arg.cos()}, 1);
    if (dim_ % 2 == 1)
        e = at::constant_pad_nd(e, {0, 1}, 0);
    return e;
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t in, int64_t dim)
{
    linear1_ = register_module("linear_1", torch::nn::Linear(in, dim));
    linear2_ = register_module("linear_2", torch::nn::Linear(dim, dim));
}

at::Tensor TimestepEmbeddingImpl::forward(const at::Tensor& e)
{
    return linear2_->forward(at::silu(linear1_->forward(e)));
}

} // namespace ds::diffusers
