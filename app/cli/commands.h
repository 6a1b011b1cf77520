#pragma once
// Each subcommand of diffscope-cli lives in its own command_*.cpp and registers itself here.
#include <CLI/App.hpp>

#include <functional>

namespace ds::cli {

void registerInfoCommand(CLI::App& app);
void registerScheduleCommand(CLI::App& app);
void registerSnrCommand(CLI::App& app);
void registerForwardCommand(CLI::App& app);
void registerSampleCommand(CLI::App& app);
void registerBenchCommand(CLI::App& app);
// Adds --table and its options to `bench`; the returned call runs the table if asked (→ true).
std::function<bool()> addBenchTableOptions(CLI::App* bench);
void registerTrainCommand(CLI::App& app);
void registerTrainClassifierCommand(CLI::App& app);
void registerEvalCommand(CLI::App& app);
void registerExportCommands(CLI::App& app);

} // namespace ds::cli
