// Makes lock() acquire, but leaves unlock() relaxed: the next holder acquires nothing the last one published.
// expect: runs: data race
//
// Exercise 15: a spin lock needs acquire and release
//
// SpinLock is a hand-made lock: lock() spins until it flips `locked_` from
// false to true, unlock() sets it back to false. Only one thread at a time
// gets in, but with memory_order_relaxed the lock does not hand the
// protected data from one holder to the next: what one holder wrote is not
// guaranteed to be visible to the next. The increments of `balance` race.
//
// Give lock() acquire ordering and unlock() release ordering. Keep the threads.

#include <atomic>
#include <thread>

#include "primitives/thread.h"

namespace exercise {

class SpinLock {
 public:
  void lock() {
    // Acquire: once this exchange wins, the last holder's writes are visible.
    while (locked_.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
  }

  void unlock() {
    locked_.store(false, std::memory_order_relaxed);
  }

 private:
  std::atomic<bool> locked_{false};
};

// `threads` threads each deposit 1 `deposits` times; returns the balance.
long deposit_all(int threads, int deposits) {
  SpinLock lock;
  long balance = 0;
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&] {
        for (int d = 0; d < deposits; ++d) {
          lock.lock();
          balance += 1;
          lock.unlock();
        }
      });
    }
  });
  return balance;
}

}  // namespace exercise
