// Hostile submission for exercise 01: never returns. The worker spins
// forever and the caller joins it, so only the test watchdog ends the run.
#include <atomic>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  std::atomic<bool> forever{true};
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    // An atomic load is a side effect: the compiler must keep the loop.
    while (forever.load(std::memory_order_relaxed)) {
    }
  });
  worker.join();
  long total = 0;
  for (int n : numbers) total += n;
  return total;
}

}  // namespace exercise
