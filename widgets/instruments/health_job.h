#pragma once
// The model health report on the engine thread (core/instruments/health_report.h), over the
// held-out data and the reference oracle that diffscope-cli health uses (instrument_data.h),
// with the same noise stream (NoiseSource(seed) on the model's device): the same seed gives
// the same numbers as `diffscope-cli health --seed`. healthReport takes no stop token: a
// cancelled report finishes on the engine thread and is dropped.
#include "core/instruments/health_report.h"

#include <QString>

#include <functional>
#include <memory>

class QObject;

namespace ds {

class EngineThread;

struct HealthRequest {
    std::shared_ptr<Denoiser> denoiser;
    int64_t count = 256;        // held-out items (diffscope-cli health --count)
    int64_t oracleCount = 2000; // training items of the empirical oracle (--oracle-count; 0: none)
    HealthOptions options;      // buckets, sampler, steps, samples
    uint64_t seed = 0;
};

struct HealthOutcome {
    HealthReport report;
    bool hasReference = false; // the oracle column holds numbers
    // The oracle is the empirical one of this many training items (0: the model is its own
    // exact reference, or there is none). It memorises them: exact for the training set, and
    // no floor for held-out error (at small t it answers with the nearest training image).
    int64_t empiricalOracleItems = 0;
    QString error;             // empty on success
};

HealthOutcome runHealthRequest(const HealthRequest& request);

// Queues the report; done is called on the UI thread while `context` lives.
void postHealthJob(EngineThread& engine, const HealthRequest& request, QObject* context,
                   std::function<void(const HealthOutcome&)> done);

} // namespace ds
