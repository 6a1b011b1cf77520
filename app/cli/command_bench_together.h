#pragma once
// diffscope-cli bench --together: the comparison's panes (the --runs list, one model, one
// seed) run one after another, then together through core/denoisers/batched_calls.h (one
// network call for all panes whose next evaluation is due), with the wall times side by side
// and the largest difference between the two runs' samples.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ds::cli {

struct BenchTogetherArgs {
    std::string checkpoint;
    std::string schedulerConfig;
    std::string device;
    std::vector<std::pair<std::string, int64_t>> panes; // sampler, steps
    int64_t n = 16;                                     // samples per pane
    uint64_t seed = 0;
    int repeat = 1; // keep the fastest of each way
};

void runBenchTogether(const BenchTogetherArgs& args);

} // namespace ds::cli
