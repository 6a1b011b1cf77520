#include "objectives.h"

#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/forward_process.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/timesteps.h"
#include "models/pixel_aware_net.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>

namespace ds {
namespace {

at::Tensor drawIndices(TrainingContext& c, int64_t high)
{
    return at::randint(0, high, {c.config.batch}, c.generator, at::TensorOptions().dtype(at::kLong)).to(c.device);
}

at::Tensor drawNormal(TrainingContext& c, at::IntArrayRef shape)
{
    return at::randn(shape, c.generator, at::kFloat).to(c.device);
}

// Draws, in order: batch indices, timesteps, noise.
class DenoiseObjective : public Objective {
public:
    at::Tensor loss(TrainingContext& c) override
    {
        auto x0 = c.data.index_select(0, drawIndices(c, c.data.size(0)));
        auto k = drawIndices(c, c.schedule.steps());
        auto eps = drawNormal(c, x0.sizes());
        auto abar = c.schedule.alphaBar(k, x0);
        auto xt = at::sqrt(abar) * x0 + at::sqrt(1.0 - abar) * eps;
        at::Tensor target = eps;
        if (c.config.prediction == Prediction::X0)
            target = x0;
        else if (c.config.prediction == Prediction::V)
            target = at::sqrt(abar) * eps - at::sqrt(1.0 - abar) * x0;
        return (c.network.forward(xt, k).to(at::kFloat) - target).square().mean();
    }
    std::string checkpointKind() const override { return "denoiser"; }
};

// Seed 000: x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε with one ε; δ_t = x_t − x_{t−1}; the network sees x_T.
class DnmNaiveObjective : public Objective {
public:
    at::Tensor loss(TrainingContext& c) override
    {
        const int64_t T = c.schedule.steps();
        auto x0 = c.data.index_select(0, drawIndices(c, c.data.size(0)));
        auto k = drawIndices(c, T);
        auto eps = drawNormal(c, x0.sizes());
        auto xT = diffuse(c.schedule, x0, T - 1, eps);
        auto delta = diffuse(c.schedule, x0, k, eps) - diffuse(c.schedule, x0, k - 1, eps);
        return (c.network.forward(xT, k) - double(T) * delta).square().mean();
    }
    std::string checkpointKind() const override { return "dnm"; }
};

// Targets from the teacher's deterministic DDIM paths on the DNM sampler's default grid.
class DnmDistilledObjective : public Objective {
public:
    void prepare(TrainingContext& c) override;
    at::Tensor loss(TrainingContext& c) override
    {
        const int64_t M = paths_.size(0), L = paths_.size(1) - 1;
        auto m = drawIndices(c, M);
        auto seg = drawIndices(c, L);
        auto xT = paths_.select(1, 0).index_select(0, m);
        auto from = paths_.index({m, seg}), to = paths_.index({m, seg + 1});
        auto k = grid_.index_select(0, seg);
        auto stride = (k - nextGrid_.index_select(0, seg)).to(at::kFloat).reshape({-1, 1, 1, 1});
        auto target = double(c.schedule.steps()) * (from - to) / stride; // u ≈ T·δ per unit t
        return (c.network.forward(xT, k) - target).square().mean();
    }
    std::string checkpointKind() const override { return "dnm"; }

private:
    at::Tensor paths_;    // [M, L + 1, C, H, W]
    at::Tensor grid_;     // [L] indices k_s
    at::Tensor nextGrid_; // [L] k_{s+1} (−1 at the end)
};

void DnmDistilledObjective::prepare(TrainingContext& c)
{
    const auto& cfg = c.config;
    require(!cfg.teacher.empty(), "dnm-distilled training needs a \"teacher\" model");
    auto teacher = openDenoiser(cfg.teacher, c.device);
    require(teacher->info().role == ModelRole::Denoiser, cfg.teacher + ": the teacher must be a denoiser");
    require(teacher->info().schedule.T == cfg.schedule.T, cfg.teacher + ": the teacher's T must match the run's");
    auto sampler = makeSampler("ddim");
    SamplerOptions options;
    options.steps = cfg.dnmSteps;
    options.spacing = Spacing::LogSnr; // the DNM sampler's default grid
    NoiseSource noise(cfg.seed + 104729, c.device); // its own stream: the same paths after a resume
    std::vector<at::Tensor> paths;
    for (int64_t done = 0; done < cfg.teacherPaths; done += 256) {
        const int64_t n = std::min<int64_t>(256, cfg.teacherPaths - done);
        std::vector<at::Tensor> states;
        auto xT = initialNoise(*teacher, n, noise);
        states.push_back(xT);
        runSampler(*sampler, *teacher, xT, options, noise, [&](const StepEvent& e) {
            states.push_back(e.x);
            return true;
        });
        paths.push_back(at::stack(states, 1));
    }
    paths_ = at::cat(paths).to(c.device);
    auto grid = timestepGrid(teacher->schedule(), cfg.dnmSteps, Spacing::LogSnr);
    grid_ = at::tensor(grid, at::kLong).to(c.device);
    std::vector<int64_t> next(grid.begin() + 1, grid.end());
    next.push_back(-1);
    nextGrid_ = at::tensor(next, at::kLong).to(c.device);
}

// Seed 002: one forward chain per image gives x_i and all ε̃_j = (x_j − √ᾱ_j x0)/√(1−ᾱ_j).
// Draws, in order: batch indices, start indices i, then one noise tensor per chain step.
class PixelAwareObjective : public Objective {
public:
    at::Tensor loss(TrainingContext& c) override
    {
        auto* net = dynamic_cast<PixelAwareNetImpl*>(&c.network);
        require(net != nullptr, "pixel-aware training needs a \"pixel-aware\" network");
        const int64_t T = c.schedule.steps(), n = c.config.batch;
        auto x0 = c.data.index_select(0, drawIndices(c, c.data.size(0)));
        auto i = drawIndices(c, T) + 1; // start index i ∈ 1..T
        auto rate = c.schedule.pixelRate(x0);
        auto alpha = at::exp(-rate);
        std::vector<at::Tensor> targets;
        at::Tensor x = x0, xi = at::zeros_like(x0);
        for (int64_t j = 1; j <= T; ++j) {
            x = at::sqrt(alpha) * x + at::sqrt(1.0 - alpha) * drawNormal(c, x0.sizes());
            auto abar = at::exp(-rate * double(j));
            targets.push_back((x - at::sqrt(abar) * x0) / at::sqrt(1.0 - abar));
            xi = at::where((i == j).reshape({n, 1, 1, 1}), x, xi);
        }
        auto scaleTrue = at::exp(-rate * double(T)); // x_δ = e^{−γ x̃0}
        auto k = i - 1;
        auto scaleLoss = (net->scale(xi, k) - scaleTrue).square().mean();
        auto Z = net->reverse(xi, scaleTrue, k); // teacher forcing: R sees the true x_δ
        return scaleLoss + maskedReverseLoss(Z, at::stack(targets, 1), i);
    }
    std::string checkpointKind() const override { return "pixel-aware"; }
};

} // namespace

at::Tensor maskedReverseLoss(const at::Tensor& Z, const at::Tensor& targets, const at::Tensor& i)
{
    const int64_t T = Z.size(1);
    auto blocks = at::arange(T, at::TensorOptions().dtype(at::kLong).device(Z.device())).unsqueeze(0);
    auto mask = (blocks < i.to(Z.device()).unsqueeze(1)).to(at::kFloat);        // [N, T]
    auto perBlock = (Z - targets).square().flatten(2).mean(2);                 // [N, T]
    return (perBlock * mask).sum() / mask.sum().clamp_min(1.0);
}

std::unique_ptr<Objective> makeObjective(const TrainingConfig& config)
{
    switch (config.objective) {
    case TrainingObjective::Denoise: return std::make_unique<DenoiseObjective>();
    case TrainingObjective::DnmNaive: return std::make_unique<DnmNaiveObjective>();
    case TrainingObjective::DnmDistilled: return std::make_unique<DnmDistilledObjective>();
    case TrainingObjective::PixelAware: return std::make_unique<PixelAwareObjective>();
    }
    throw Error("unknown training objective");
}

} // namespace ds
