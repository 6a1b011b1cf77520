#include "parameter_updates.h"

#include "models/network.h"

#include <ATen/ATen.h>
#include <ATen/ops/_foreach_add.h>
#include <ATen/ops/_foreach_mul.h>
#include <ATen/ops/_foreach_norm.h>
#include <c10/core/GradMode.h>

#include <vector>

namespace ds {

void updateEma(NetworkImpl& ema, const NetworkImpl& live, double decay)
{
    c10::NoGradGuard noGrad;
    const auto source = live.parameters();
    const auto target = ema.parameters();
    at::_foreach_mul_(target, decay);
    at::_foreach_add_(target, source, 1.0 - decay);
}

void clipGradNorm(NetworkImpl& network, double maxNorm)
{
    c10::NoGradGuard noGrad;
    std::vector<at::Tensor> grads;
    for (const auto& p : network.parameters())
        if (p.grad().defined())
            grads.push_back(p.grad());
    if (grads.empty())
        return;
    const auto total = at::stack(at::_foreach_norm(grads, 2)).norm(2);
    const auto scale = (maxNorm / (total + 1e-6)).clamp_max(1.0);
    for (auto& g : grads)
        g.mul_(scale);
}

} // namespace ds
