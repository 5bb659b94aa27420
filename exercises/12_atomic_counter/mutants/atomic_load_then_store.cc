// Makes the counter atomic, but adds with a load and a separate store: another thread's increment can fall between the two.
// expect: explore: test failure
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
  std::atomic<int> errors{0};
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&, t] {
        for (size_t i = t; i < log.size(); i += threads) {
          if (log[i].find("ERROR") != std::string::npos) errors.store(errors.load() + 1);
        }
      });
    }
  });
  return errors.load();
}

}  // namespace exercise
