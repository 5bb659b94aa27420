// Exercise 15: a spin lock needs acquire and release (solution)
//
// unlock() is a release store and lock() an acquire exchange: everything a
// holder wrote before unlock() happens before everything the next holder
// does after its lock(). That is what makes it a lock, not just a flag.

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
    // Release: publishes this holder's writes to whoever acquires the lock next.
    locked_.store(false, std::memory_order_release);
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
