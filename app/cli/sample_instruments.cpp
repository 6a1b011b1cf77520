#include "sample_instruments.h"

#include "cli_common.h"
#include "commands.h"

#include "models/error.h"
#include "core/instruments/manifest.h"
#include "core/io/sha256.h"
#include "core/io/atomic_file.h"
#include "core/io/csv.h"
#include "core/io/npy.h"
#include "core/io/output_path.h"
#include "core/export/trajectory_arrays.h"
#include "core/io/trajectory_io.h"
#include "core/samplers/sampler_options.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace ds::cli {

void SampleInstrumentArgs::addTo(CLI::App* cmd)
{
    const std::string fork = "Fork (instruments)", picard = "Picard record (instruments)";
    cmd->add_option("--fork-at", forkAt, "fork after this many steps and continue with --fork-options")->group(fork);
    cmd->add_option("--fork-options", forkOptions, "JSON over the run's options, e.g. {\"eta\": 1} or "
                                                   "{\"sampler\": \"ddpm\", \"steps\": 100}")
        ->group(fork)->capture_default_str();
    cmd->add_option("--fork-out", forkOut, "the fork's samples .npy")->group(fork);
    cmd->add_option("--fork-csv", forkCsv, "drift against t: t, drift, drift_x0 (RMS fork − parent)")->group(fork);
    cmd->add_option("--fork-trajectory", forkTrajectory, "the fork's trajectory .npy (+ .t.npy, .x0.npy)")->group(fork);
    cmd->add_option("--picard-residuals", picardResiduals, "Picard runs: residual per round × position .npy")
        ->group(picard);
    cmd->add_option("--picard-csv", picardCsv, "the same with round, window_begin, window_end, accepted, "
                                               "sequential_calls, then r0 … r(n−1)")->group(picard);
    cmd->add_option("--picard-tolerance", picardTolerance, "tau' >= the run's tolerance for --picard-accept-*")
        ->group(picard);
    cmd->add_option("--picard-accept-csv", picardAcceptCsv, "position, t, run_round, round_at_tolerance")->group(picard);
    cmd->add_option("--picard-accept-out", picardAcceptOut, "the sample as it stood when tau' accepted it .npy")
        ->group(picard);
    addManifestFlag(cmd, noManifest);
}

bool SampleInstrumentArgs::recordingPicard() const
{
    return !picardResiduals.empty() || !picardCsv.empty() || !picardAcceptCsv.empty() || !picardAcceptOut.empty();
}

void SampleInstrumentArgs::checkOutputs(const std::vector<std::string>& inputs) const
{
    for (const auto& [path, what] :
         {std::pair{&forkOut, "--fork-out"}, std::pair{&forkCsv, "--fork-csv"}, std::pair{&forkTrajectory, "--fork-trajectory"},
          std::pair{&picardResiduals, "--picard-residuals"}, std::pair{&picardCsv, "--picard-csv"},
          std::pair{&picardAcceptCsv, "--picard-accept-csv"}, std::pair{&picardAcceptOut, "--picard-accept-out"}})
        if (!path->empty())
            requireWritableOutput(*path, what, inputs);
    const bool forkOutputs = !forkOut.empty() || !forkCsv.empty() || !forkTrajectory.empty();
    require(!forkOutputs || forking(), "--fork-out, --fork-csv and --fork-trajectory need --fork-at K");
    require(!forking() || forkOutputs, "--fork-at: give --fork-out, --fork-csv or --fork-trajectory");
    require(picardTolerance >= 0, "--picard-tolerance must be >= 0");
}

SampleInstruments::SampleInstruments(const SampleInstrumentArgs& args, Denoiser& denoiser, std::string sampler,
                                     const SamplerOptions& options, uint64_t seed, const at::Tensor& xT,
                                     const NoiseSource& noise)
    : args_(args), denoiser_(denoiser), noise_(noise)
{
    parent_.sampler = std::move(sampler);
    parent_.options = options;
    parent_.seed = seed;
    if (args_.forking()) {
        parent_.trajectory.append(denoiser.schedule().steps(), xT);
        parent_.drawsAfter.push_back(noise.draws());
    }
    if (args_.recordingPicard()) {
        require(parent_.sampler.rfind("picard-", 0) == 0, "--picard-residuals, --picard-csv and --picard-accept-* "
                "record Picard rounds; the ", parent_.sampler, " sampler has none (use picard-", parent_.sampler, ")");
        picard_.emplace(options.steps, options.tolerance);
    }
}

void SampleInstruments::onStep(const StepEvent& e)
{
    if (!args_.forking())
        return;
    parent_.trajectory.appendAfterStep(e.t, e.x, e.x0);
    parent_.drawsAfter.push_back(noise_.draws());
}

RoundObserver SampleInstruments::rounds() { return picard_ ? picard_->observer() : RoundObserver{}; }

Outputs SampleInstruments::finish(const Sampler& sampler, bool quiet)
{
    parent_.grid = sampler.grid();
    Outputs written;
    if (args_.forking())
        written = writeFork(quiet);
    if (picard_) {
        auto more = writePicard();
        written.insert(written.end(), more.begin(), more.end());
    }
    return written;
}

Outputs SampleInstruments::writeFork(bool quiet)
{
    auto j = nlohmann::json::parse(args_.forkOptions, nullptr, false);
    require(j.is_object(), "--fork-options must be a JSON object, e.g. {\"eta\": 1}");
    std::string sampler = parent_.sampler;
    if (j.contains("sampler")) {
        require(j["sampler"].is_string(), "--fork-options: \"sampler\" must be a name");
        sampler = j["sampler"].get<std::string>();
        j.erase("sampler");
    }
    const auto options = samplerOptionsFromJson(j, "--fork-options", parent_.options);
    auto fork = forkAt(denoiser_, parent_, args_.forkAt, sampler, options, &interruptToken());
    Outputs written;
    const auto& run = fork.run.trajectory;
    if (!args_.forkOut.empty()) {
        saveNpy(args_.forkOut, run.frame(run.size() - 1));
        written.push_back({"--fork-out", args_.forkOut});
    }
    if (!args_.forkTrajectory.empty())
        for (const auto& path : saveTrajectoryArrays(args_.forkTrajectory, run))
            written.push_back({"--fork-trajectory", path});
    if (!args_.forkCsv.empty()) {
        auto t = at::tensor(fork.t, at::kLong).to(at::kDouble);
        saveCsv(args_.forkCsv, {"t", "drift", "drift_x0"}, at::stack({t, fork.drift, fork.driftX0}, 1));
        written.push_back({"--fork-csv", args_.forkCsv});
    }
    note(quiet, "fork after step " + std::to_string(args_.forkAt) + " with " + sampler + ": final drift "
                    + std::to_string(fork.drift[fork.drift.size(0) - 1].item<double>()));
    return written;
}

Outputs SampleInstruments::writePicard()
{
    const auto record = picard_->record();
    require(!record.windowBegin.empty(), "--picard-*: the ", parent_.sampler,
            " sampler reported no Picard rounds (use a picard-* sampler)");
    Outputs written;
    if (!args_.picardResiduals.empty()) {
        saveNpy(args_.picardResiduals, record.residuals);
        written.push_back({"--picard-residuals", args_.picardResiduals});
    }
    if (!args_.picardCsv.empty()) {
        std::vector<std::string> columns{"round", "window_begin", "window_end", "accepted", "sequential_calls"};
        for (int64_t j = 0; j < record.steps; ++j)
            columns.push_back("r" + std::to_string(j));
        const auto rounds = int64_t(record.windowBegin.size());
        auto info = at::empty({rounds, 5}, at::kDouble);
        for (int64_t i = 0; i < rounds; ++i) {
            const auto r = size_t(i);
            const double row[5] = {double(i + 1), double(record.windowBegin[r]), double(record.windowEnd[r]),
                                   double(record.accepted[r]), double(record.sequentialCalls[r])};
            for (int c = 0; c < 5; ++c)
                info[i][c] = row[c];
        }
        saveCsv(args_.picardCsv, columns, at::cat({info, record.residuals}, 1));
        written.push_back({"--picard-csv", args_.picardCsv});
    }
    const double tolerance = args_.picardTolerance > 0 ? args_.picardTolerance : record.tolerance;
    if (!args_.picardAcceptCsv.empty()) {
        const auto run = acceptanceRounds(record, record.tolerance), loose = acceptanceRounds(record, tolerance);
        auto table = at::empty({record.steps, 4}, at::kDouble);
        for (int64_t j = 0; j < record.steps; ++j) {
            table[j][0] = double(j);
            table[j][1] = double(parent_.grid[size_t(j)] + 1);
            table[j][2] = double(run[size_t(j)]);
            table[j][3] = double(loose[size_t(j)]);
        }
        saveCsv(args_.picardAcceptCsv, {"position", "t", "run_round", "round_at_tolerance"}, table);
        written.push_back({"--picard-accept-csv", args_.picardAcceptCsv});
    }
    if (!args_.picardAcceptOut.empty()) {
        saveNpy(args_.picardAcceptOut, sampleAtTolerance(record, tolerance));
        written.push_back({"--picard-accept-out", args_.picardAcceptOut});
    }
    return written;
}

void writeSampleManifest(const SampleInstrumentArgs& args, const SampleManifestInput& input, bool quiet)
{
    if (input.primaryOutput.empty())
        return;
    ManifestRequest request{"sample",
                            {{"sampler", input.sampler},
                             {"options", toJson(input.options)},
                             {"grid", input.grid},
                             {"seed", input.seed},
                             {"start", input.start}},
                            input.checkpoint,
                            input.device,
                            input.outputs,
                            {}};
    // The primary output first: the manifest sits beside it.
    std::stable_partition(request.outputs.begin(), request.outputs.end(),
                          [&](const auto& o) { return o.second == input.primaryOutput; });
    writeCommandManifest(request, args.noManifest, quiet);
}

} // namespace ds::cli
