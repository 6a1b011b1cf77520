// diffscope-cli schedule: β, α, ᾱ and SNR per step of a schedule, as CSV.
// Scalar schedules: one row per t. Pixel-aware: ᾱ and SNR for chosen rescaled pixel values x̃0.
#include "cli_common.h"
#include "command_manifest.h"
#include "commands.h"

#include "models/error.h"
#include "core/io/csv.h"
#include "core/io/output_path.h"
#include "core/snr.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

namespace ds::cli {
namespace {

struct ScheduleCommandArgs {
    ScheduleArgs schedule;
    std::string out;
    std::vector<double> pixelValues{0.004, 0.1, 0.25, 0.5, 0.75, 1.0};
    bool noManifest = false;
};

// Columns t, t_over_T, beta, alpha, alpha_bar, snr, log_snr with SNR = ᾱ/(1−ᾱ).
void writeScalar(const Schedule& schedule, const std::string& out)
{
    const auto T = schedule.steps();
    auto t = at::arange(1, T + 1, at::kDouble);
    const auto& beta = schedule.betas();
    const auto& abar = schedule.alphasCumprod();
    auto snr = abar / (1.0 - abar);
    auto table = at::stack({t, t / double(T), beta, 1.0 - beta, abar, snr, at::log(snr)}, 1);
    saveCsv(out, {"t", "t_over_T", "beta", "alpha", "alpha_bar", "snr", "log_snr"}, table);
}

// Columns t, t_over_T, then alpha_bar and snr (x̃0² ᾱ/(1−ᾱ)) for every pixel value. The
// schedule's data range is [ε, 1], so a value given here is its own x̃0.
void writePixelAware(const Schedule& schedule, const std::vector<double>& values, const std::string& out)
{
    require(!values.empty(), "--pixel-values: give at least one value");
    for (double v : values)
        require(v >= schedule.spec().epsilon && v <= 1.0, "--pixel-values must lie in [epsilon, 1]");
    const auto T = schedule.steps();
    auto x0 = at::tensor(values, at::kDouble).to(at::kFloat);
    auto abar = alphaBarCurves(schedule, x0).to(at::kDouble);
    auto snr = snrCurves(schedule, x0).to(at::kDouble);
    auto t = at::arange(1, T + 1, at::kDouble);
    std::vector<at::Tensor> columns{t, t / double(T)};
    std::vector<std::string> names{"t", "t_over_T"};
    for (size_t i = 0; i < values.size(); ++i) {
        columns.push_back(abar.select(1, int64_t(i)));
        columns.push_back(snr.select(1, int64_t(i)));
        std::ostringstream label;
        label << values[i];
        names.push_back("alpha_bar@" + label.str());
        names.push_back("snr@" + label.str());
    }
    saveCsv(out, names, at::stack(columns, 1));
}

void runSchedule(const ScheduleCommandArgs& args)
{
    requireWritableOutput(args.out, "--out");
    const auto spec = args.schedule.spec();
    Schedule schedule(spec, spec.kind == ScheduleKind::PixelAware ? DataRange{spec.epsilon, 1.0} : DataRange{});
    if (schedule.perPixel())
        writePixelAware(schedule, args.pixelValues, args.out);
    else
        writeScalar(schedule, args.out);
    std::cerr << "wrote " << args.out << " (" << spec.describe() << ")\n";
    writeCommandManifest({"schedule", {{"schedule", spec.describe()}}, "", "cpu", {{"--out", args.out}}, {}},
                         args.noManifest, false);
}

} // namespace

void registerScheduleCommand(CLI::App& app)
{
    auto args = std::make_shared<ScheduleCommandArgs>();
    auto* cmd = app.add_subcommand("schedule", "write a schedule's beta, alpha-bar and SNR curves to CSV");
    args->schedule.addTo(cmd);
    cmd->add_option("--out", args->out, "CSV file to write")->required();
    cmd->add_option("--pixel-values", args->pixelValues, "pixel-aware: rescaled pixel values x~0 in [eps, 1]")
        ->delimiter(',');
    addManifestFlag(cmd, args->noManifest);
    cmd->callback([args] { runSchedule(*args); });
}

} // namespace ds::cli
