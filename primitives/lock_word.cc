// lock_word.cc: LockWord's slow paths (see lock_word.h).

#include "primitives/lock_word.h"

#ifndef RACELINGS_NATIVE_LOCKS

#include "primitives/futex.h"

namespace racelings {
namespace internal {

namespace {

void cpu_relax(int times) {
  for (int i = 0; i < times; ++i) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
}

}  // namespace

void LockWord::lock_slow() {
  // Spin while the holder may be about to let go on another core, but not
  // once threads sleep on the word: they are woken in turn, and a spinner
  // would only take the lock from under them (parking_lot spins the same
  // way). 1, 2, then 4 pauses: a few hundred cycles. Longer spins lost to
  // sleeping at once with 4 threads on 2 cores (bench/primitives_bench's
  // contended case), where the holder is often not running at all.
  for (int step = 0; step < 3; ++step) {
    uint32_t state = state_.load(std::memory_order_relaxed);
    if (state == kSleepers) break;
    if (state == kFree) {
      uint32_t expected = kFree;
      if (state_.compare_exchange_weak(expected, kHeld, std::memory_order_acquire, std::memory_order_relaxed)) return;
    }
    cpu_relax(1 << step);
  }
  // Mark the word as slept on before each sleep; whoever takes it that way
  // leaves it marked, so its unlock wakes the next sleeper.
  while (state_.exchange(kSleepers, std::memory_order_acquire) != kFree) futex_wait(&state_, kSleepers);
}

void LockWord::wake_one() { futex_wake(&state_, 1); }

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_NATIVE_LOCKS
