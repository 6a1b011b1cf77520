// diffscope-cli: the engine from scripts and on GPU boxes.
// Exit codes: 0 success, 1 bad input or failure (one message on stderr), 2 usage error,
// 130 interrupted by Ctrl-C or SIGTERM.
#include "cli_common.h"
#include "commands.h"

#include "core/user_message.h"

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

namespace {

int failureCode() { return ds::cli::interruptToken().stopRequested() ? 130 : 1; }

} // namespace

int main(int argc, char** argv)
{
    ds::cli::installInterruptHandler();
    ds::cli::rememberCommandLine(argc, argv); // for manifests (instruments)

    CLI::App app{"diffscope-cli: diffusion schedules, forward trajectories and samplers from the command line"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", "diffscope-cli 0.1.0");
    // Debian's LibTorch starts with one intra-op thread; default to the machine's cores. On a
    // shared, busy machine fewer threads avoid OpenMP threads spinning against each other.
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    app.add_option("--threads", threads, "intra-op threads of LibTorch")->capture_default_str();
    app.parse_complete_callback([&threads] { at::set_num_threads(std::max(1, threads)); });
    ds::cli::registerInfoCommand(app);
    ds::cli::registerScheduleCommand(app);
    ds::cli::registerSnrCommand(app);
    ds::cli::registerForwardCommand(app);
    ds::cli::registerSampleCommand(app);
    ds::cli::registerSpectrumCommand(app);
    ds::cli::registerProbeCommand(app);
    ds::cli::registerRoundTripCommand(app);
    ds::cli::registerReplayCommand(app);
    ds::cli::registerHealthCommand(app);
    ds::cli::registerTrainCommand(app);
    ds::cli::registerTrainClassifierCommand(app);
    ds::cli::registerEvalCommand(app);
    ds::cli::registerExportCommands(app);
    ds::cli::registerConvertCommand(app);
    ds::cli::registerBenchCommand(app);
    ds::cli::registerBenchSamplersCommand(app);

    try {
        app.parse(argc, argv);
        if (app.get_subcommands().empty()) {
            std::cerr << app.help();
            return 2;
        }
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2; // --help and --version exit 0, usage errors 2
    } catch (const std::exception& e) {
        std::cerr << "diffscope-cli: error: " << ds::userMessage(e) << '\n';
        return failureCode();
    }
    return ds::cli::interruptToken().stopRequested() ? 130 : 0;
}
