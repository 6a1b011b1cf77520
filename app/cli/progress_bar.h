#pragma once
// A one-line progress bar on stderr: "[#####.....] 37/50  12.3 it/s  ETA 1s".
// Redraws at most 10 times a second on a terminal, one line per 10% into a file or pipe;
// prints nothing when disabled.
#include <chrono>
#include <cstdint>
#include <string>

namespace ds::cli {

class ProgressBar {
public:
    ProgressBar(std::string label, int64_t total, bool enabled);
    ~ProgressBar();
    void update(int64_t done);
    void finish();

private:
    void draw(int64_t done);

    std::string label_;
    int64_t total_;
    bool enabled_;
    bool terminal_;
    bool finished_ = false;
    int64_t lastTenth_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point lastDraw_;
    int64_t last_ = 0;
};

} // namespace ds::cli
