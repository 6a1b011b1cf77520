#pragma once
// Each subcommand of diffscope-cli lives in its own command_*.cpp and registers itself here.
#include <CLI/App.hpp>

namespace ds::cli {

void registerInfoCommand(CLI::App& app);
void registerScheduleCommand(CLI::App& app);
void registerSnrCommand(CLI::App& app);
void registerForwardCommand(CLI::App& app);
void registerSampleCommand(CLI::App& app);
void registerBenchCommand(CLI::App& app);

} // namespace ds::cli
