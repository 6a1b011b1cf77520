#include "sampler_registry.h"

#include "models/error.h"
#include "ddim_sampler.h"
#include "ddpm_sampler.h"
#include "dnm_sampler.h"
#include "dpm_solver_pp_sampler.h"
#include "dpmpp_2m_sde_sampler.h"
#include "dpmpp_3m_sampler.h"
#include "edm_heun_sampler.h"
#include "euler_ancestral_sampler.h"
#include "euler_maruyama_sampler.h"
#include "euler_sampler.h"
#include "heun_ode_sampler.h"
#include "oracle_ancestral_sampler.h"
#include "picard_sampler.h"
#include "pixel_aware_sampler.h"
#include "unipc_sampler.h"

namespace ds {
namespace {

template <typename S>
std::unique_ptr<Sampler> make()
{
    return std::make_unique<S>();
}

template <typename S>
std::unique_ptr<Sampler> picard()
{
    return std::make_unique<PicardSampler>(std::make_unique<S>(), "picard-" + std::string(S().name()));
}

using Keys = std::vector<std::string_view>;

// Options every stepwise sampler reads: the grid and the handling of x̂0.
Keys stepwise(Keys own)
{
    Keys keys{"steps", "spacing", "steps_offset", "karras_rho"};
    keys.insert(keys.end(), own.begin(), own.end());
    for (auto k : {"clip_denoised", "clip_range", "dynamic_threshold", "threshold_quantile", "threshold_max"})
        keys.push_back(k);
    return keys;
}

Keys parallel(Keys own)
{
    auto keys = stepwise(std::move(own));
    keys.push_back("window");
    keys.push_back("tolerance");
    return keys;
}

void etaOne(SamplerOptions& o) { o.eta = 1.0; }
// The seeds' methods visit every index of their chain by default (DNM: the log-SNR grid).
void wholeChain(SamplerOptions& o) { o.steps = 200; }

} // namespace

bool SamplerEntry::readsOption(std::string_view key) const
{
    for (auto k : reads)
        if (k == key)
            return true;
    return false;
}

const std::vector<SamplerEntry>& samplerRegistry()
{
    using R = ModelRole;
    static const std::vector<SamplerEntry> entries{
        {"ddpm", "DDPM ancestral sampling, sigma^2 = beta-tilde (small) or beta (large) times a scale", R::Denoiser, true,
         stepwise({"sigma", "sigma_scale"}), nullptr, make<DdpmSampler>},
        {"ddim", "DDIM; eta = 0 deterministic, eta = 1 DDPM-like noise", R::Denoiser, true, stepwise({"eta"}), nullptr,
         make<DdimSampler>},
        {"dpmpp-2m", "DPM-Solver++(2M), second-order multistep ODE solver", R::Denoiser, false, stepwise({}), nullptr,
         make<DpmSolverPp2MSampler>},
        {"euler-sde", "Euler-Maruyama on the reverse-time VP SDE", R::Denoiser, true, stepwise({}), nullptr,
         make<EulerMaruyamaSampler>},
        {"pf-ode-heun", "probability-flow ODE, Heun's method (2 passes per step)", R::Denoiser, false, stepwise({}),
         nullptr, make<HeunOdeSampler>},
        {"euler", "Euler on the probability-flow ODE in sigma (Karras et al. 2022, Alg. 1 without corrector)",
         R::Denoiser, false, stepwise({}), nullptr, make<EulerSampler>},
        {"euler-ancestral", "Euler ancestral (k-diffusion): Euler down to sigma_down, noise eta up to sigma'",
         R::Denoiser, true, stepwise({"eta", "churn_noise"}), etaOne, make<EulerAncestralSampler>},
        {"edm-heun", "EDM stochastic Heun (Karras et al. 2022, Alg. 2); churn 0 is pf-ode-heun", R::Denoiser, true,
         stepwise({"churn", "churn_tmin", "churn_tmax", "churn_noise"}), nullptr, make<EdmHeunSampler>},
        {"dpmpp-2m-sde", "DPM-Solver++(2M) SDE, midpoint form; eta = 0 is dpmpp-2m", R::Denoiser, true,
         stepwise({"eta", "churn_noise"}), etaOne, make<DpmPp2MSdeSampler>},
        {"dpmpp-3m", "DPM-Solver++(3M), third-order multistep ODE solver", R::Denoiser, false, stepwise({}), nullptr,
         make<DpmPp3MSampler>},
        {"unipc", "UniPC bh2: order-2 predictor + corrector, one network pass per step", R::Denoiser, false,
         stepwise({}), nullptr, make<UniPcSampler>},
        {"oracle-ancestral", "exact reverse kernel of the exact oracles (oracle:* models only): exact at any steps",
         R::Denoiser, true, {"steps", "spacing", "steps_offset", "karras_rho"}, nullptr, make<OracleAncestralSampler>},
        {"picard-ddpm", "DDPM solved by parallel Picard iteration (ParaDiGMS: the same chain, fewer sequential rounds)",
         R::Denoiser, true, parallel({"sigma", "sigma_scale"}), nullptr, picard<DdpmSampler>},
        {"picard-ddim", "DDIM solved by parallel Picard iteration", R::Denoiser, true, parallel({"eta"}), nullptr,
         picard<DdimSampler>},
        {"picard-pf-ode", "probability-flow ODE (Heun) solved by parallel Picard iteration", R::Denoiser, false,
         parallel({}), nullptr,
         [] { return std::unique_ptr<Sampler>(new PicardSampler(std::make_unique<HeunOdeSampler>(), "picard-pf-ode")); }},
        {"picard-euler-sde", "Euler-Maruyama (reverse SDE) solved by parallel Picard iteration", R::Denoiser, true,
         parallel({}), nullptr, picard<EulerMaruyamaSampler>},
        {"picard-euler", "Euler (PF-ODE in sigma) solved by parallel Picard iteration", R::Denoiser, false,
         parallel({}), nullptr, picard<EulerSampler>},
        {"picard-euler-ancestral", "Euler ancestral solved by parallel Picard iteration", R::Denoiser, true,
         parallel({"eta", "churn_noise"}), etaOne, picard<EulerAncestralSampler>},
        {"dnm", "differential noise modelling (seed 000): all deltas from x_T in one pass, prefix sum", R::DnmDelta,
         true, {"steps", "spacing", "sigma_scale"}, nullptr, make<DnmSampler>},
        {"pixel-aware", "pixel-aware reverse diffusion (seed 002, Algorithm 1): G and R once, then a recurrence",
         R::PixelAware, true, {"steps"}, wholeChain, make<PixelAwareSampler>},
    };
    return entries;
}

const SamplerEntry& samplerEntry(std::string_view name)
{
    for (const auto& e : samplerRegistry())
        if (e.name == name)
            return e;
    throw Error("unknown sampler '" + std::string(name) + "' (expected " + samplerChoices() + ")");
}

std::unique_ptr<Sampler> makeSampler(std::string_view name) { return samplerEntry(name).make(); }

SamplerOptions defaultOptions(std::string_view name)
{
    SamplerOptions o;
    if (const auto& e = samplerEntry(name); e.defaults)
        e.defaults(o);
    return o;
}

namespace {

struct MeasuredGrid {
    std::string_view sampler;
    Spacing linear, cosine;
};

// The default grid per schedule, from docs/benchmarks.md. Linear: the exact table's best grid at
// 20 NFE (Gaussian data, exact denoiser), except the multistep solvers (2M, 3M, UniPC, 2M SDE):
// the exact table prefers log-SNR, whose many steps near σ = 0 only help an error-free denoiser;
// on the trained DDPM demo trailing won all nine comparisons (FID proxy, 0.8–19 better at 10–50
// NFE) and on the two-moons toy the grids tie at 20 NFE. Cosine: leading for every sampler,
// measured on a trained cosine-schedule model (two-moons, sliced W2): the grids that start at
// k = T − 1 (trailing, log-SNR) take their first step from ᾱ ≈ 2e-9 (σ ≈ 2·10⁴), where an ε̂
// error δ becomes an x̂0 error δ·σ; the exact oracle has δ = 0, so its table cannot show this.
// Trailing was 10–400× worse than leading there (Heun diverged), log-SNR 2–8× worse, except a tie
// for DPM-Solver++(2M) SDE.
constexpr MeasuredGrid kMeasuredGrids[] = {
    {"ddpm", Spacing::Leading, Spacing::Leading},
    {"ddim", Spacing::Leading, Spacing::Leading},
    {"dpmpp-2m", Spacing::Trailing, Spacing::Leading},
    {"euler-sde", Spacing::Trailing, Spacing::Leading},
    {"pf-ode-heun", Spacing::Trailing, Spacing::Leading},
    {"euler", Spacing::Leading, Spacing::Leading},
    {"euler-ancestral", Spacing::Leading, Spacing::Leading},
    {"edm-heun", Spacing::Trailing, Spacing::Leading},
    {"dpmpp-2m-sde", Spacing::Trailing, Spacing::Leading},
    {"dpmpp-3m", Spacing::Trailing, Spacing::Leading},
    {"unipc", Spacing::Trailing, Spacing::Leading},
};

// The single-step sampler a Picard entry iterates ("picard-pf-ode" iterates pf-ode-heun).
std::string_view baseSampler(std::string_view name)
{
    if (name == "picard-pf-ode")
        return "pf-ode-heun";
    return name.starts_with("picard-") ? name.substr(7) : name;
}

} // namespace

std::string defaultSamplerFor(const DenoiserInfo& model)
{
    if (!model.recommendedSampler.empty())
        return model.recommendedSampler;
    if (model.role != ModelRole::Denoiser)
        return std::string(firstSamplerFor(model.role));
    return "ddim";
}

SamplerOptions defaultOptions(std::string_view name, const ScheduleSpec& schedule)
{
    auto o = defaultOptions(name);
    for (const auto& m : kMeasuredGrids)
        if (m.sampler == baseSampler(name))
            o.spacing = schedule.kind == ScheduleKind::Cosine ? m.cosine : m.linear;
    return o;
}

std::string samplerChoices()
{
    std::string out;
    for (const auto& e : samplerRegistry())
        out += (out.empty() ? "" : "|") + std::string(e.name);
    return out;
}

std::string samplerNamesFor(ModelRole role)
{
    std::string out;
    for (const auto& e : samplerRegistry())
        if (e.role == role)
            out += (out.empty() ? "" : ", ") + std::string(e.name);
    return out;
}

std::string_view firstSamplerFor(ModelRole role)
{
    for (const auto& e : samplerRegistry())
        if (e.role == role)
            return e.name;
    throw Error("no sampler drives " + std::string(name(role)) + " models");
}

std::string samplerHelp()
{
    std::string out;
    for (const auto& e : samplerRegistry()) {
        out += "  " + std::string(e.name) + " (" + std::string(name(e.role)) + " models): " + std::string(e.description)
             + "\n      reads:";
        for (auto k : e.reads)
            out += " " + std::string(k);
        out += "\n";
    }
    return out;
}

} // namespace ds
