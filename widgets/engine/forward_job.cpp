#include "forward_job.h"

#include "engine_thread.h"
#include "job_channel.h"

#include "core/data/dataset.h"
#include "core/denoisers/denoiser.h"
#include "models/error.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

at::Tensor cleanBatch(const ForwardRequest& r)
{
    if (!r.dataset.empty()) {
        DatasetOptions options;
        options.limit = r.batch;
        options.range = r.range;
        return loadDataset(r.dataset, options).images;
    }
    require(r.x0.defined(), "no clean images to diffuse: this model names no data set; run a reverse trajectory "
                            "first and its samples are used");
    return r.x0.narrow(0, 0, std::min<int64_t>(r.batch, r.x0.size(0)));
}

void runForward(const ForwardRequest& r, JobChannel& channel, const StopToken& stop)
{
    Schedule schedule(r.schedule, r.range);
    auto x0 = cleanBatch(r).to(at::kFloat).contiguous();
    NoiseSource noise(r.seed);
    ForwardOptions options;
    options.mode = r.mode;
    options.storage = Trajectory::Storage::Float16;
    const int64_t T = schedule.steps();
    auto keepGoing = [&](int64_t t) {
        if (t % 10 == 0 || t == T)
            Q_EMIT channel.progress(t, T);
        return !stop.stopRequested();
    };
    auto trajectory = std::make_shared<Trajectory>(forwardTrajectory(schedule, x0, options, noise, keepGoing));
    if (stop.stopRequested())
        return;
    Q_EMIT channel.trajectoryReady({r.ticket, trajectory, x0});
}

} // namespace

void postForwardJob(EngineThread& engine, const ForwardRequest& request, std::shared_ptr<JobChannel> channel,
                    StopToken stop)
{
    engine.post(
        [request, channel, stop] {
            try {
                runForward(request, *channel, stop);
            } catch (const std::exception& e) {
                Q_EMIT channel->failed(QString::fromStdString(ds::userMessage(e)));
            }
        },
        stop);
}

void postEstimateJob(EngineThread& engine, const EstimateRequest& request, std::shared_ptr<JobChannel> channel)
{
    engine.post([request, channel] {
        if (request.latest && request.latest->load() != request.ticket)
            return; // a newer frame was asked for meanwhile
        try {
            auto e = request.denoiser->estimate(request.x.to(request.denoiser->device()), request.t - 1);
            FramePacket p;
            p.ticket = request.ticket;
            p.frame = request.frame;
            p.t = request.t;
            p.x0 = e.x0.detach().to(at::kCPU, at::kFloat, false, true);
            Q_EMIT channel->estimateReady(p);
        } catch (const std::exception& e) {
            Q_EMIT channel->failed(QString::fromStdString(ds::userMessage(e)));
        }
    });
}

} // namespace ds
