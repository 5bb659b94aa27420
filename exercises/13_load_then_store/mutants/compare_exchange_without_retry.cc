// Uses compare_exchange, but once, without the retry loop: when another thread got there first, this visit is dropped.
// expect: explore: test failure
//
// Exercise 13: load, then store, is two steps
//
// count_visits() counts visits on several threads in a std::atomic<int>,
// but increments it with `visits.store(visits.load() + 1)`. Each of the two
// calls is atomic; the pair is not. Between one thread's load and its store,
// other threads' increments land and are then overwritten. No data race,
// no sanitizer report: just visits that vanish.
//
// Make each increment one atomic read-modify-write. Keep several threads.

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
          // Store only if nobody changed it since the load.
          int seen = visits.load();
          visits.compare_exchange_strong(seen, seen + 1);
        }
      });
    }
  });
  return visits.load();
}

}  // namespace exercise
