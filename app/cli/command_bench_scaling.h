#pragma once
// diffscope-cli bench --scaling: time per network call against batch size for one model (the
// curve Picard's window needs), then the window core/samplers/picard_tuning.h picks from it.
#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace ds::cli {

struct BenchModelArgs { // the bench command's own model options, shared with --scaling
    const std::string& checkpoint;
    const std::string& schedulerConfig;
    const std::string& device;
};

// Adds --scaling and its options to `bench`; the returned callback runs it and returns true
// when --scaling was given.
std::function<bool()> addBenchScalingOptions(CLI::App* bench, BenchModelArgs model);

} // namespace ds::cli
