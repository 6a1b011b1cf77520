#pragma once
// Cooperative cancellation for long engine work (sampling, training, export).
// The owner (CLI signal handler, GUI cancel button) calls requestStop(); the worker polls.
#include <atomic>
#include <memory>

namespace ds {

class StopToken {
public:
    StopToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
    void requestStop() const { flag_->store(true, std::memory_order_relaxed); }
    bool stopRequested() const { return flag_->load(std::memory_order_relaxed); }
    void reset() const { flag_->store(false, std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> flag_; // shared so copies observe one request
};

} // namespace ds
