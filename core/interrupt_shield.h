#pragma once
// Work that a second Ctrl-C must not cut short: a training loop between steps and, above all,
// a checkpoint being written. While a shield is alive the CLI's signal handler only records
// further interrupts (the first one already asked the work to stop at its next safe point);
// outside a shield a second interrupt ends the process at once.
#include <atomic>

namespace ds {

inline std::atomic<int> gInterruptShieldDepth{0};

class InterruptShield {
public:
    InterruptShield() { gInterruptShieldDepth.fetch_add(1); }
    ~InterruptShield() { gInterruptShieldDepth.fetch_sub(1); }
    InterruptShield(const InterruptShield&) = delete;
    InterruptShield& operator=(const InterruptShield&) = delete;

    // Safe to call from a signal handler (a lock-free atomic load).
    static bool active() { return gInterruptShieldDepth.load() > 0; }
};

static_assert(std::atomic<int>::is_always_lock_free);

} // namespace ds
