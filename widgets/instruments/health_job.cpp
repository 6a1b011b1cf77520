#include "health_job.h"

#include "core/instruments/instrument_data.h"

#include "widgets/engine/engine_thread.h"
#include "widgets/engine/parent_replay.h"

#include "core/denoisers/empirical_denoiser.h"
#include "models/error.h"
#include "core/noise_source.h"
#include "core/user_message.h"

namespace ds {

HealthOutcome runHealthRequest(const HealthRequest& r)
{
    require(bool(r.denoiser), "health report: open a model first");
    require(r.count >= 1, "health report: need at least one held-out item");
    auto& model = *r.denoiser;
    const auto heldOut = heldOutImages(model, r.count, r.seed);
    Denoiser* reference = nullptr;
    const auto owned = referenceOracle(model, r.oracleCount, reference);
    NoiseSource noise(r.seed, model.device());
    HealthOutcome out;
    out.report = healthReport(model, heldOut, reference, r.options, noise);
    out.hasReference = reference != nullptr;
    if (const auto* empirical = dynamic_cast<const EmpiricalDenoiser*>(owned.get()))
        out.empiricalOracleItems = empirical->data().size(0);
    return out;
}

void postHealthJob(EngineThread& engine, const HealthRequest& request, QObject* context,
                   std::function<void(const HealthOutcome&)> done)
{
    UiRelay relay(context);
    engine.post([request, relay, done] {
        HealthOutcome outcome;
        try {
            outcome = runHealthRequest(request);
        } catch (const std::exception& e) {
            outcome = {};
            outcome.error = QString::fromStdString(userMessage(e));
        }
        relay.call([done, outcome] { done(outcome); });
    });
}

} // namespace ds
