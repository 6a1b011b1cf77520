#pragma once
// The instruments `sample` can run beside its own outputs (issue 13), kept out of
// command_sample.cpp's flow: fork at step k (core/instruments/fork.h), the Picard residual
// record (core/instruments/picard_record.h) and the run's reproducibility manifest
// (core/instruments/manifest.h).
#include "command_manifest.h"

#include "core/denoisers/denoiser.h"
#include "core/instruments/fork.h"
#include "core/instruments/picard_record.h"
#include "core/samplers/sampler.h"

#include <CLI/App.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ds::cli {

struct SampleInstrumentArgs {
    int64_t forkAt = -1;
    std::string forkOptions = "{}";
    std::string forkOut, forkCsv, forkTrajectory;
    std::string picardResiduals, picardCsv, picardAcceptCsv, picardAcceptOut;
    double picardTolerance = 0; // 0: the run's τ
    bool noManifest = false;

    void addTo(CLI::App* cmd);
    bool forking() const { return forkAt >= 0; }
    bool recordingPicard() const;
    // Every file these options would write, checked before the run.
    void checkOutputs(const std::vector<std::string>& inputs) const;
};


class SampleInstruments {
public:
    SampleInstruments(const SampleInstrumentArgs& args, Denoiser& denoiser, std::string sampler,
                      const SamplerOptions& options, uint64_t seed, const at::Tensor& xT, const NoiseSource& noise);
    // Call from the run's step observer.
    void onStep(const StepEvent& e);
    // The round observer to pass to runSampler (empty unless recording a Picard run).
    RoundObserver rounds();
    // After the run: writes the fork's and the Picard record's files.
    Outputs finish(const Sampler& sampler, bool quiet);

private:
    Outputs writeFork(bool quiet);
    Outputs writePicard();

    const SampleInstrumentArgs& args_;
    Denoiser& denoiser_;
    const NoiseSource& noise_;
    RecordedRun parent_;
    std::optional<PicardRecorder> picard_;
};

// Writes <primary>.manifest.json for a finished `sample` run (unless --no-manifest).
struct SampleManifestInput {
    std::string primaryOutput;
    std::string checkpoint;
    std::string sampler;
    SamplerOptions options;
    std::vector<int64_t> grid;
    uint64_t seed = 0;
    std::string start; // how x_T was made: "noise", "init FILE", "data …"
    std::string device;
    Outputs outputs; // every file written
};
void writeSampleManifest(const SampleInstrumentArgs& args, const SampleManifestInput& input, bool quiet);

} // namespace ds::cli
