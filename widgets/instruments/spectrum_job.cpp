#include "spectrum_job.h"

#include "core/instruments/instrument_data.h"

#include "widgets/engine/engine_thread.h"
#include "widgets/engine/parent_replay.h"

#include "core/denoisers/denoiser.h"
#include "models/error.h"
#include "core/instruments/radial_spectrum.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

namespace ds {

SpectrumOutcome runSpectrumRequest(const SpectrumRequest& r)
{
    require(!r.trajectory.empty(), "spectrum: the trajectory has no frames");
    SpectrumOutcome out;
    out.t = r.trajectory.ts();
    const auto frames = r.trajectory.stackedFrames(); // [F, N, C, H, W]
    require(frames.dim() == 5, "spectrum: expected frames [F, N, C, H, W]");
    out.xt = frameSpectra(frames);
    out.x0 = frameSpectra(r.trajectory.stackedPredictions());
    out.counts = radialPowerSpectrum(frames[0].narrow(0, 0, 1)).counts;
    if (!r.denoiser) {
        out.dataNote = QStringLiteral("no model: no data spectrum");
        return out;
    }
    try {
        const auto data = heldOutImages(*r.denoiser, r.dataCount, 0);
        require(data.sizes().slice(1) == frames.sizes().slice(2), "the data's images have another size than the frames");
        out.data = meanRadialSpectrum(data);
        out.dataNote = QStringLiteral("data: mean of %1 held-out items").arg(data.size(0));
    } catch (const std::exception& e) { // the trajectory's spectra still show
        out.dataNote = QStringLiteral("no data spectrum: %1").arg(QString::fromStdString(userMessage(e)));
    }
    return out;
}

void postSpectrumJob(EngineThread& engine, const SpectrumRequest& request, QObject* context,
                     std::function<void(const SpectrumOutcome&)> done)
{
    UiRelay relay(context);
    engine.post([request, relay, done] {
        SpectrumOutcome outcome;
        try {
            outcome = runSpectrumRequest(request);
        } catch (const std::exception& e) {
            outcome = {};
            outcome.error = QString::fromStdString(userMessage(e));
        }
        relay.call([done, outcome] { done(outcome); });
    });
}

} // namespace ds
