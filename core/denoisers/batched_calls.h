#pragma once
// One network call for many runs (issue 15: comparison panes that share a model). Each run
// goes on its own thread with a member Denoiser of its own; when every live run is waiting
// for the network, their batches go through the shared model as one call (each row carries
// its own index k, which Denoiser::operator() takes per sample) and each run gets its rows
// back. A run that finishes leaves, so the others never wait for it. What a run computes is
// unchanged up to the kernels' batch-size rounding: the rows are the same rows.
#include "denoiser.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace ds {

struct BatchedCallStats {
    int64_t calls = 0;       // calls of the shared model
    int64_t requests = 0;    // member calls they answered
    int64_t largestRows = 0; // rows of the largest merged call
};

class BatchedCalls {
public:
    // Only models of role Denoiser: the other roles' samplers reach their networks by other
    // paths. Throws ds::Error otherwise.
    explicit BatchedCalls(std::shared_ptr<Denoiser> model);

    // Runs every `runs[i]` on its own thread with member i (a Denoiser with the model's info
    // and schedule whose calls are merged) and waits for all. Each member counts its own
    // passes. The first exception a run throws is rethrown here after all have ended.
    void runTogether(const std::vector<std::function<void(Denoiser& member)>>& runs);

    const BatchedCallStats& stats() const { return stats_; }

private:
    class Member;
    struct Request;

    at::Tensor submit(const at::Tensor& x, const at::Tensor& k);
    void leave();
    void flushWhileReady(std::unique_lock<std::mutex>& lock);

    std::shared_ptr<Denoiser> model_;
    std::mutex mutex_;
    std::condition_variable answered_;
    std::vector<Request*> pending_;
    int live_ = 0;
    bool calling_ = false;
    BatchedCallStats stats_;
};

} // namespace ds
