// Exercise 13: load, then store, is two steps (solution)
//
// fetch_add reads, adds and writes as one indivisible operation: no other
// thread's increment can land in between, so none is overwritten.

#include <atomic>

#include "primitives/barrier.h"
#include "primitives/thread.h"

namespace exercise {

int count_visits(int threads, int per_thread) {
  std::atomic<int> visits{0};
  racelings::Barrier start_line(threads);
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&] {
        start_line.wait();  // all threads start counting together
        for (int i = 0; i < per_thread; ++i) {
          // One atomic read-modify-write. Relaxed: only the count matters,
          // and the scope's join publishes the final value.
          visits.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
  });
  return visits.load();
}

}  // namespace exercise
