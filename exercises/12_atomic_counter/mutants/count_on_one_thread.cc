// Counts the errors in one loop on the calling thread: nothing is shared any more, because nothing runs concurrently any more.
// expect: integrity
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
  (void)threads;  // One thread is enough for a log this small.
  int errors = 0;
  for (const std::string& line : log) {
    if (line.find("ERROR") != std::string::npos) ++errors;
  }
  return errors;
}

}  // namespace exercise
