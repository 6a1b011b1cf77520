#include "pixel_probe.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>

namespace ds {
namespace {

at::Tensor toTable(const std::vector<std::vector<double>>& rows, int64_t columns)
{
    auto out = at::empty({int64_t(rows.size()), columns}, at::kDouble);
    for (size_t r = 0; r < rows.size(); ++r)
        for (int64_t c = 0; c < columns; ++c)
            out[int64_t(r)][c] = rows[r][size_t(c)];
    return out;
}

} // namespace

PixelProbe::PixelProbe(const Schedule& schedule, std::vector<ProbeRegion> regions)
    : schedule_(&schedule), regions_(std::move(regions))
{
    require(!regions_.empty(), "pixel probe: no pixels given");
    for (const auto& r : regions_)
        require(r.height >= 1 && r.width >= 1 && r.sample >= 0 && r.channel >= 0 && r.y >= 0 && r.x >= 0,
                "pixel probe: pixel (", r.y, ", ", r.x, ") with patch ", r.height, "x", r.width,
                " is not a valid region");
}

void PixelProbe::requireInside(const at::Tensor& x) const
{
    require(x.dim() == 4, "pixel probe: expected x [N, C, H, W]");
    for (const auto& r : regions_)
        require(r.sample < x.size(0) && r.channel < x.size(1) && r.y + r.height <= x.size(2)
                    && r.x + r.width <= x.size(3),
                "pixel probe: pixel (", r.y, ", ", r.x, ") of sample ", r.sample, ", channel ", r.channel,
                ", patch ", r.height, "x", r.width, " lies outside images of ", x.size(0), "x", x.size(1), "x",
                x.size(2), "x", x.size(3));
}

std::vector<double> PixelProbe::values(const at::Tensor& x) const
{
    std::vector<double> out;
    for (const auto& r : regions_)
        out.push_back(x[r.sample][r.channel].narrow(0, r.y, r.height).narrow(1, r.x, r.width)
                          .to(at::kDouble).mean().item<double>());
    return out;
}

// λ = log ᾱ − log(1 − ᾱ) at k = t − 1; per pixel, averaged over each patch.
std::vector<double> PixelProbe::logSnr(int64_t t, const at::Tensor& x0, const at::Tensor& clean) const
{
    const auto nanRow = std::vector<double>(regions_.size(), std::numeric_limits<double>::quiet_NaN());
    if (t <= 0)
        return std::vector<double>(regions_.size(), std::numeric_limits<double>::infinity());
    if (!schedule_->perPixel()) {
        const double abar = schedule_->alphaBarAt(t - 1);
        return std::vector<double>(regions_.size(), std::log(abar) - std::log1p(-abar));
    }
    const auto& reference = clean.defined() ? clean : x0;
    if (!reference.defined())
        return nanRow;
    auto abar = schedule_->alphaBar(t - 1, reference.to(at::kCPU, at::kDouble));
    return values(at::log(abar) - at::log1p(-abar));
}

void PixelProbe::record(int64_t t, int64_t nfe, const at::Tensor& x, const at::Tensor& x0, const at::Tensor& clean)
{
    requireInside(x);
    t_.push_back(t);
    nfe_.push_back(nfe);
    xt_.push_back(values(x));
    x0_.push_back(x0.defined() ? values(x0)
                               : std::vector<double>(regions_.size(), std::numeric_limits<double>::quiet_NaN()));
    lambda_.push_back(logSnr(t, x0, clean));
}

void PixelProbe::recordAfterStep(int64_t t, int64_t nfe, const at::Tensor& x, const at::Tensor& x0OfPrevious)
{
    if (!t_.empty() && x0OfPrevious.defined()) {
        x0_.back() = values(x0OfPrevious);
        lambda_.back() = logSnr(t_.back(), x0OfPrevious, {});
    }
    record(t, nfe, x, {});
}

ProbeTable PixelProbe::table() const
{
    const auto p = int64_t(regions_.size());
    return {schedule_->steps(), t_, nfe_, toTable(lambda_, p), toTable(xt_, p), toTable(x0_, p)};
}

ProbeTable probeTrajectory(const Trajectory& trajectory, const Schedule& schedule,
                           const std::vector<ProbeRegion>& regions, const at::Tensor& clean)
{
    PixelProbe probe(schedule, regions);
    for (int64_t i = 0; i < trajectory.size(); ++i)
        probe.record(trajectory.t(i), i, trajectory.frame(i), trajectory.predictedX0(i), clean);
    return probe.table();
}

ProbeTable probeRun(Sampler& sampler, Denoiser& denoiser, const at::Tensor& xT, const SamplerOptions& options,
                    NoiseSource& noise, const std::vector<ProbeRegion>& regions, const StopToken* stop)
{
    PixelProbe probe(denoiser.schedule(), regions);
    probe.requireInside(xT);
    const int64_t before = denoiser.usage().passes;
    probe.record(denoiser.schedule().steps(), 0, xT, {});
    auto observer = [&](const StepEvent& e) {
        probe.recordAfterStep(e.t, denoiser.usage().passes - before, e.x, e.x0);
        return true;
    };
    auto run = runSampler(sampler, denoiser, xT, options, noise, observer, stop);
    require(!run.cancelled, "pixel probe: the run was stopped after ", run.completedSteps, " steps");
    return probe.table();
}

} // namespace ds
