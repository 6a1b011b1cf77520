#include "sampler_registry.h"

#include "error.h"
#include "samplers/ddim_sampler.h"
#include "samplers/ddpm_sampler.h"
#include "samplers/dpm_solver_pp_sampler.h"
#include "samplers/euler_maruyama_sampler.h"
#include "samplers/dnm_sampler.h"
#include "samplers/heun_ode_sampler.h"
#include "samplers/pixel_aware_sampler.h"
#include "samplers/picard_sampler.h"

namespace ds {
namespace {

template <typename S>
std::unique_ptr<Sampler> make()
{
    return std::make_unique<S>();
}

} // namespace

const std::vector<SamplerEntry>& samplerRegistry()
{
    static const std::vector<SamplerEntry> entries{
        {"ddpm", "DDPM ancestral sampling, sigma^2 = beta-tilde (small) or beta (large) times a scale", true,
         make<DdpmSampler>},
        {"ddim", "DDIM; eta = 0 deterministic, eta = 1 DDPM-like noise", true, make<DdimSampler>},
        {"dpmpp-2m", "DPM-Solver++(2M), second-order multistep ODE solver", false, make<DpmSolverPp2MSampler>},
        {"euler-sde", "Euler-Maruyama on the reverse-time VP SDE", true, make<EulerMaruyamaSampler>},
        {"pf-ode-heun", "probability-flow ODE, Heun's method (2 passes per step)", false, make<HeunOdeSampler>},
        {"picard-ddpm", "DDPM solved by parallel Picard iteration (same result, fewer sequential rounds)", true,
         [] { return std::unique_ptr<Sampler>(new PicardSampler(PicardSampler::Base::Ddpm)); }},
        {"picard-ddim", "DDIM solved by parallel Picard iteration", true,
         [] { return std::unique_ptr<Sampler>(new PicardSampler(PicardSampler::Base::Ddim)); }},
        {"picard-pf-ode", "probability-flow ODE (Heun) solved by parallel Picard iteration", false,
         [] { return std::unique_ptr<Sampler>(new PicardSampler(PicardSampler::Base::HeunOde)); }},
        {"dnm", "differential noise modelling (seed 000): all deltas from x_T in one pass, prefix sum", true,
         make<DnmSampler>},
        {"pixel-aware", "pixel-aware reverse diffusion (seed 002, Algorithm 1): G and R once, then a recurrence",
         true, make<PixelAwareSampler>},
    };
    return entries;
}

std::string samplerChoices()
{
    std::string out;
    for (const auto& e : samplerRegistry())
        out += (out.empty() ? "" : "|") + std::string(e.name);
    return out;
}

std::unique_ptr<Sampler> makeSampler(std::string_view name)
{
    for (const auto& e : samplerRegistry())
        if (e.name == name)
            return e.make();
    throw Error("unknown sampler '" + std::string(name) + "' (expected " + samplerChoices() + ")");
}

} // namespace ds
