#pragma once
// Each subcommand of diffscope-cli lives in its own command_*.cpp and registers itself here.
#include <CLI/App.hpp>

#include <functional>
#include <string>
#include <vector>

namespace ds::cli {

void registerInfoCommand(CLI::App& app);
void registerScheduleCommand(CLI::App& app);
void registerSnrCommand(CLI::App& app);
void registerForwardCommand(CLI::App& app);
void registerSampleCommand(CLI::App& app);
void registerSpectrumCommand(CLI::App& app); // command_spectrum.cpp (instruments, issue 13)
void registerProbeCommand(CLI::App& app);    // command_probe.cpp (instruments)
void registerRoundTripCommand(CLI::App& app); // command_roundtrip.cpp (instruments)
void registerReplayCommand(CLI::App& app);    // command_replay.cpp (instruments)
void registerHealthCommand(CLI::App& app);    // command_health.cpp (instruments)
// The command line as run, for manifests (command_replay.cpp); main() records it first.
void rememberCommandLine(int argc, char** argv);
const std::vector<std::string>& recordedCommandLine();
void registerBenchCommand(CLI::App& app);
void registerBenchSamplersCommand(CLI::App& app); // command_bench_samplers.cpp
// Adds --table and its options to `bench`; the returned call runs the table if asked (→ true).
std::function<bool()> addBenchTableOptions(CLI::App* bench);
// Adds --diffusers FOLDER and its options to `bench` (command_bench_diffusers.cpp); → true if it ran.
std::function<bool()> addBenchDiffusersOptions(CLI::App* bench, const uint64_t& seed, const std::string& json);
void registerTrainCommand(CLI::App& app);
void registerTrainClassifierCommand(CLI::App& app);
void registerEvalCommand(CLI::App& app);
void registerExportCommands(CLI::App& app);
void registerConvertCommand(CLI::App& app); // command_convert.cpp (diffusers folders, issue 12)

} // namespace ds::cli
