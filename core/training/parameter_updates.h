#pragma once
// The per-step updates of a training run besides AdamW itself: the EMA of the weights and
// gradient clipping, each as fused multi-tensor kernels and without host syncs.
namespace ds {

class NetworkImpl;

// θ̄ ← d θ̄ + (1 − d) θ over all parameters (at::_foreach_mul_ / _foreach_add_: one dispatch
// for all tensors instead of two per tensor).
void updateEma(NetworkImpl& ema, const NetworkImpl& live, double decay);

// g ← g · min(1, c / (‖g‖₂ + 1e-6)), ‖g‖₂ the norm of all gradients together
// (torch.nn.utils.clip_grad_norm_). The scale stays a tensor: no host sync, unlike LibTorch
// 1.13's clip_grad_norm_, which reads the norm back with .item() every step.
void clipGradNorm(NetworkImpl& network, double maxNorm);

} // namespace ds
