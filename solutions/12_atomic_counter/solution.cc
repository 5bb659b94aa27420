// Exercise 12: an atomic counter (solution)
//
// fetch_add is one indivisible read-modify-write: no other thread can slip
// in between the read and the write, so no count is lost, and an atomic
// never takes part in a data race.

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

int count_errors(const std::vector<std::string>& log, int threads) {
  std::atomic<int> errors{0};
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&, t] {
        for (size_t i = t; i < log.size(); i += threads) {
          // Relaxed is enough: only the count matters, and the scope's join
          // makes the final value visible to the load below.
          if (log[i].find("ERROR") != std::string::npos) errors.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
  });
  return errors.load(std::memory_order_relaxed);
}

}  // namespace exercise
