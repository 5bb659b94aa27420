// Hostile submission for exercise 01: prints an endless stream of fake
// ThreadSanitizer reports, each at another line of this file so that no two
// merge, with a byte that is not UTF-8 in every function name (the grader's
// JSON must still be written). The checker must keep bounded memory and time
// (it keeps the start and the end of the output and at most kMaxFindings
// findings); the watchdog ends the run.
#include <cstdio>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  racelings::JoinHandle<void> worker = racelings::spawn([] {
    for (unsigned long i = 0;; ++i) {
      std::printf(
          "==================\n"
          "WARNING: ThreadSanitizer: data race (pid=%lu)\n"
          "  Write of size 8 at 0x7b04%08lx by thread T1:\n"
          "    #0 exercise::fake\xff() exercises/01_spawn_join/exercise.cc:%lu:7 (test+0x%lx)\n"
          "\n"
          "  Previous read of size 8 at 0x7b04%08lx by main thread:\n"
          "    #0 exercise::sum_in_background() exercises/01_spawn_join/exercise.cc:%lu:3 (test+0x%lx)\n"
          "\n"
          "SUMMARY: ThreadSanitizer: data race exercises/01_spawn_join/exercise.cc:%lu:7 in exercise::fake\xff()\n"
          "==================\n",
          i, i, i + 1, i, i, i + 2, i, i + 1);
    }
  });
  worker.join();
  return static_cast<long>(numbers.size());
}

}  // namespace exercise
