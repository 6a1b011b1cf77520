#include "gaussian_sampler_error.h"

#include "models/error.h"
#include "core/samplers/sampler_registry.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

// The number of draws one run of the sampler makes (it depends on steps, σ mode, η, …).
int64_t drawsOfOneRun(const std::string& name, const SamplerOptions& options, Denoiser& oracle)
{
    const auto& s = oracle.info().shape;
    auto sampler = makeSampler(name);
    NoiseSource noise(0);
    runSampler(*sampler, oracle, at::zeros({1, s[0], s[1], s[2]}), options, noise);
    return noise.draws();
}

} // namespace

GaussianOutputLaw exactGaussianOutputLaw(const std::string& name, const SamplerOptions& options, Denoiser& oracle)
{
    require(!options.clipDenoised && !options.dynamicThreshold, name,
            ": the exact Gaussian law needs an affine sampler (no x̂0 clipping or thresholding)");
    const auto& s = oracle.info().shape;
    const int64_t draws = drawsOfOneRun(name, options, oracle);
    const int64_t rows = 2 + draws;
    auto xT = at::zeros({rows, s[0], s[1], s[2]});
    xT[1].fill_(1.0);
    std::vector<at::Tensor> impulses;
    for (int64_t j = 0; j < draws; ++j) {
        auto z = at::zeros({rows, s[0], s[1], s[2]});
        z[2 + j].fill_(1.0);
        impulses.push_back(z);
    }
    auto sampler = makeSampler(name);
    auto noise = NoiseSource::replaying(std::move(impulses));
    const auto before = oracle.usage().passes;
    auto run = runSampler(*sampler, oracle, xT, options, noise);
    require(noise.draws() == draws, name, ": drew ", noise.draws(), " noises on a batch but ", draws,
            " on one sample (draws must not depend on the batch)");
    const auto x = run.x.to(at::kDouble);
    const auto B = x[0], A = x[1] - B;
    auto variance = A * A;
    if (draws > 0)
        variance = variance + (x.slice(0, 2) - B).pow(2).sum(0);
    return {B, variance, oracle.usage().passes - before, draws};
}

double gaussianW2(const GaussianOutputLaw& law, const at::Tensor& mu, const at::Tensor& s)
{
    const auto m = mu.to(at::kDouble).reshape(law.mean.sizes());
    const auto sd = s.to(at::kDouble).reshape(law.mean.sizes());
    const auto w2 = (law.mean - m).pow(2) + (law.variance.sqrt() - sd).pow(2);
    return w2.mean().sqrt().item<double>();
}

} // namespace ds
