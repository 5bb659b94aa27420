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
  // TODO: a plain int, written by every thread.
  int errors = 0;
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&, t] {
        for (size_t i = t; i < log.size(); i += threads) {
          // TODO: read, add, write: three steps that other threads interleave.
          if (log[i].find("ERROR") != std::string::npos) ++errors;
        }
      });
    }
  });
  return errors;
}

}  // namespace exercise
