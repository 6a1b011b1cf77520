#pragma once
#include "sampler.h"

#include <deque>

namespace ds {

// UniPC (Zhao et al. 2023) with B(h) = e^h − 1 ("bh2"), data prediction, order-2 predictor
// UniP plus the corrector UniC (diffusers' UniPCMultistepScheduler, solver_type "bh2",
// predict_x0, lower_order_final). The corrector reuses the network call the next predictor
// needs anyway, so one call per step; the final sample is not corrected.
class UniPcSampler : public Sampler {
public:
    std::string_view name() const override { return "unipc"; }
    StepOutput step(Denoiser& denoiser, const at::Tensor& x, int64_t i, NoiseSource& noise) override;

protected:
    void onBegin() override;

private:
    at::Tensor correct(const at::Tensor& mT, int64_t i) const;
    at::Tensor predict(const at::Tensor& x, const at::Tensor& m0, int64_t i, int64_t order) const;
    double lambdaAt(int64_t position) const;

    std::deque<at::Tensor> history_; // x̂0 of the previous steps, newest first (at most 2)
    at::Tensor lastSample_;          // corrected input of the previous predictor
    int64_t lastOrder_ = 0;          // order of the previous predictor
};

} // namespace ds
