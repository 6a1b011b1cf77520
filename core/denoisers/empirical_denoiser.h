#pragma once
// The optimal denoiser for an empirical data set {y_i} (seed 003): the data distribution is the
// uniform mixture of the training images, so
//   E[x0 | x_t] = Σ_i w_i y_i,   w = softmax_i(log q(x_t | y_i)),
// with log q(x_t | y_i) = −‖x_t − √ᾱ y_i‖² / (2(1−ᾱ)) + const for scalar schedules and
// −½ Σ_j [(x_t^j − √ᾱ_ij y_ij)² / (1−ᾱ_ij) + ln(1−ᾱ_ij)] for per-pixel schedules, whose ᾱ
// depends on each y_i. Needs no training: the reference every sampler and model is checked
// against. Computed in float64 with a log-sum-exp softmax, batched, chunked over the data.
#include "denoiser.h"

namespace ds {

class EmpiricalDenoiser : public Denoiser {
public:
    // data: [M, C, H, W] in `range`; M >= 1.
    EmpiricalDenoiser(const at::Tensor& data, const ScheduleSpec& schedule, DataRange range,
                      std::string datasetName, std::string source);

    // Posterior weights over the data set, float64 [N, M].
    at::Tensor weights(const at::Tensor& x, const at::Tensor& k) const;
    const at::Tensor& data() const { return data_; }
    void to(c10::Device device) override;

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override;

private:
    at::Tensor scalarLogits(const at::Tensor& x, const at::Tensor& k) const;
    at::Tensor pixelLogits(const at::Tensor& x, int64_t k) const;

    at::Tensor data_;     // [M, C, H, W] float32 as given
    at::Tensor flat_;     // [M, D] float64
    at::Tensor sqNorms_;  // [M] float64, ‖y_i‖²
    at::Tensor rates_;    // [M, D] float64 per-pixel rates (pixel-aware only)
};

} // namespace ds
