#include "models/diffusers/fir.h"

#include <ATen/ATen.h>

namespace ds::diffusers {

namespace {

// gain · k as a [1, 1, 4, 4] conv weight (k is symmetric: no flip needed).
at::Tensor firKernel(const at::Tensor& like, double gain)
{
    const at::Tensor k1 = at::tensor({1.0, 3.0, 3.0, 1.0}, like.options().dtype(at::kDouble));
    return (k1.unsqueeze(1) * k1.unsqueeze(0) * (gain / 64.0)).to(like.scalar_type()).view({1, 1, 4, 4});
}

// Each channel padded by (before, after) on both axes, then correlated with `kernel`.
at::Tensor filter(const at::Tensor& x, const at::Tensor& kernel, int64_t before, int64_t after, int64_t stride)
{
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const at::Tensor padded = at::constant_pad_nd(x.reshape({n * c, 1, h, w}), {before, after, before, after}, 0);
    const at::Tensor out = at::conv2d(padded, kernel, {}, {stride, stride});
    return out.reshape({n, c, out.size(2), out.size(3)});
}

} // namespace

at::Tensor firUpsample2x(const at::Tensor& x)
{
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    at::Tensor spread = at::zeros({n, c, h, 2, w, 2}, x.options());
    spread.narrow(3, 0, 1).narrow(5, 0, 1).copy_(x.view({n, c, h, 1, w, 1}));
    return filter(spread.view({n, c, 2 * h, 2 * w}), firKernel(x, 4.0), 2, 1, 1);
}

at::Tensor firDownsample2x(const at::Tensor& x)
{
    return filter(x, firKernel(x, 1.0), 1, 1, 2);
}

} // namespace ds::diffusers
