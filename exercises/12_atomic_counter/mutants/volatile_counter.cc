// Makes the counter `volatile`: the compiler must really read and write it, but three steps stay three steps, and racing.
// expect: runs: data race
//
// Exercise 12: an atomic counter
//
// count_errors() scans a log on several threads and counts the lines that
// contain "ERROR" in one shared int. `++errors` from several threads at
// once is a data race, and counts get lost.
//
// For a single counter, a lock is more than you need: make it a
// std::atomic<int> and count with fetch_add. Keep several threads.

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

int count_errors(const std::vector<std::string>& log, int threads) {
  // volatile: every ++ really goes to memory, no stale copies in registers.
  volatile int errors = 0;
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&, t] {
        for (size_t i = t; i < log.size(); i += threads) {
          if (log[i].find("ERROR") != std::string::npos) errors = errors + 1;
        }
      });
    }
  });
  return errors;
}

}  // namespace exercise
