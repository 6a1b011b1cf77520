#include "round_trip_job.h"

#include "core/instruments/instrument_data.h"

#include "widgets/engine/engine_thread.h"
#include "widgets/engine/parent_replay.h"

#include "core/denoisers/denoiser.h"
#include "models/error.h"
#include "core/forward_process.h"
#include "core/noise_source.h"
#include "core/samplers/sampler_registry.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

RoundTrip toCpu(RoundTrip r)
{
    r.inversion.xT = r.inversion.xT.cpu();
    r.reconstruction = r.reconstruction.cpu();
    r.errorMap = r.errorMap.cpu();
    return r;
}

// The same sampler from N(0, I) and from x0 diffused to its first grid index (one draw each,
// seeded), then each output's nearest training image.
GenerateCheck generateCheck(const RoundTripRequest& r, const at::Tensor& x0)
{
    GenerateCheck check;
    auto& d = *r.denoiser;
    const auto data = trainingImages(d.info(), r.nearestCount);
    if (!data.defined()) {
        check.why = QStringLiteral("%1 names no training set to search").arg(QString::fromStdString(d.info().source));
        return check;
    }
    auto sampler = makeSampler(r.sampler);
    NoiseSource noise(r.seed, d.device());
    const auto n = x0.size(0);
    check.fromNoise = runSampler(*sampler, d, initialNoise(d, n, noise), r.options, noise).x.cpu();
    sampler->begin(d.schedule(), r.options);
    const auto start = diffuse(d.schedule(), x0.to(d.device()), sampler->grid().front(), noise.normal(x0.sizes()));
    check.fromData = runSampler(*sampler, d, start, r.options, noise).x.cpu();
    check.nearestNoise = nearestTraining(check.fromNoise, data);
    check.nearestData = nearestTraining(check.fromData, data);
    check.searched = data.size(0);
    check.empiricalOracle = d.info().kind == "oracle-empirical";
    check.done = true;
    return check;
}

} // namespace

RoundTripOutcome runRoundTripRequest(const RoundTripRequest& r, const std::function<void(qint64, qint64)>& progress,
                                     const StopToken& stop)
{
    require(bool(r.denoiser), "round trip: open a model first");
    RoundTripOutcome out;
    out.sampler = r.sampler;
    out.range = r.denoiser->info().range;
    out.x0 = r.images.defined() ? r.images.to(at::kFloat) : heldOutImages(*r.denoiser, r.count, r.seed);
    const qint64 total = 1 + qint64(r.curveSteps.size()) + (r.generateCheck ? 1 : 0);
    progress(0, total);
    out.trip = toCpu(roundTrip(*r.denoiser, out.x0.to(r.denoiser->device()), r.sampler, r.options));
    progress(1, total);
    for (size_t i = 0; i < r.curveSteps.size(); ++i) {
        if (stop.stopRequested()) {
            out.cancelled = true;
            return out;
        }
        auto point = roundTripErrorCurve(*r.denoiser, out.x0.to(r.denoiser->device()), r.sampler, r.options,
                                         {r.curveSteps[i]});
        out.curve.push_back(point.front());
        progress(2 + qint64(i), total);
    }
    if (r.generateCheck) {
        if (stop.stopRequested()) {
            out.cancelled = true;
            return out;
        }
        out.check = generateCheck(r, out.x0);
        progress(total, total);
    }
    return out;
}

void postRoundTripJob(EngineThread& engine, const RoundTripRequest& request, QObject* context,
                      std::function<void(qint64, qint64)> progress, std::function<void(const RoundTripOutcome&)> done,
                      StopToken stop)
{
    UiRelay relay(context);
    engine.post(
        [request, relay, progress, done, stop] {
            RoundTripOutcome outcome;
            try {
                auto report = [&](qint64 a, qint64 b) { relay.call([progress, a, b] { progress(a, b); }); };
                outcome = runRoundTripRequest(request, report, stop);
            } catch (const std::exception& e) {
                outcome = {};
                outcome.cancelled = stop.stopRequested();
                outcome.error = QString::fromStdString(userMessage(e));
            }
            relay.call([done, outcome] { done(outcome); });
        },
        stop);
}

} // namespace ds
