#pragma once
// The spectra the frequency view shows, computed once per run on the engine thread
// (core/instruments/radial_spectrum.h): frameSpectra of every x_t frame and of every stored
// x̂0 (NaN rows where a frame has none), and the mean spectrum of the model's held-out data
// (instrument_data.h; the Gaussian oracle's own law).
#include "core/trajectory.h"

#include <ATen/core/Tensor.h>

#include <QString>

#include <functional>
#include <memory>
#include <vector>

class QObject;

namespace ds {

class Denoiser;
class EngineThread;

struct SpectrumRequest {
    Trajectory trajectory;               // a copy: frames are shared handles
    std::shared_ptr<Denoiser> denoiser;  // for the data spectrum (null: none)
    int64_t dataCount = 500;             // held-out items averaged
};

struct SpectrumOutcome {
    std::vector<int64_t> t;  // per frame
    at::Tensor xt;           // float64 [F, R]
    at::Tensor x0;           // float64 [F, R], NaN rows without x̂0
    at::Tensor data;         // float64 [R], or undefined (no data set; message in dataNote)
    at::Tensor counts;       // int64 [R]: frequencies per radius bin
    QString dataNote;
    QString error;
};

SpectrumOutcome runSpectrumRequest(const SpectrumRequest& request);

void postSpectrumJob(EngineThread& engine, const SpectrumRequest& request, QObject* context,
                     std::function<void(const SpectrumOutcome&)> done);

} // namespace ds
