#pragma once
// Forward (noising) trajectories and x̂0 estimates of their frames, on the engine thread.
#include "core/data/data_range.h"
#include "core/forward_process.h"
#include "core/stop_token.h"

#include <ATen/core/Tensor.h>
#include <QtGlobal>

#include <atomic>
#include <memory>
#include <string>

namespace ds {

class Denoiser;
class EngineThread;
class JobChannel;

struct ForwardRequest {
    ScheduleSpec schedule;    // the model's schedule
    DataRange range;          // the model's data range
    std::string dataset;      // data set to take the clean batch from ("" → use `x0`)
    at::Tensor x0;            // clean batch [N, C, H, W] when there is no data set (e.g. last samples)
    int64_t batch = 16;
    ForwardMode mode = ForwardMode::ClosedForm;
    uint64_t seed = 0;
    quint64 ticket = 0;
};

// Queues the forward process over t = 0..T; the channel gets progress, then trajectoryReady
// (or failed; nothing when stopped).
void postForwardJob(EngineThread& engine, const ForwardRequest& request, std::shared_ptr<JobChannel> channel,
                    StopToken stop);

struct EstimateRequest {
    std::shared_ptr<Denoiser> denoiser;
    at::Tensor x;       // x_t [N, C, H, W]
    int64_t t = 0;      // its t (schedule index t − 1)
    int64_t frame = 0;  // the trajectory frame it came from
    quint64 ticket = 0; // skipped unless still equal to *latest when it reaches the engine
    std::shared_ptr<std::atomic<quint64>> latest;
};

// Queues one network pass for x̂0 of a frame; the newest request wins (stale ones are dropped
// unrun), as in Qt's Mandelbrot example. The channel gets estimateReady.
void postEstimateJob(EngineThread& engine, const EstimateRequest& request, std::shared_ptr<JobChannel> channel);

} // namespace ds
