// Exercise 25: wait at the barrier (solution)
//
// A barrier.wait() at the end of every round: no thread starts reading row
// r + 1 until every thread has written its slice of it. Everything a thread
// wrote before wait() is visible to all the others after it.

#include <algorithm>
#include <string>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/thread.h"

namespace exercise {

std::vector<int> smooth(const std::vector<int>& values, int rounds, int threads) {
  const int n = static_cast<int>(values.size());
  const int slice = n / threads;  // The test makes n a multiple of `threads`.
  // rows[r] holds every value after round r.
  std::vector<std::vector<int>> rows(rounds + 1, std::vector<int>(n));
  racelings::Barrier barrier(threads);
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      racelings::Builder().name("slice-" + std::to_string(t)).spawn_scoped(s, [&, t] {
        const int begin = t * slice, end = begin + slice;
        std::copy(values.begin() + begin, values.begin() + end, rows[0].begin() + begin);  // Load my slice,
        barrier.wait();  // and wait until every slice is loaded.
        for (int r = 0; r < rounds; ++r) {
          for (int i = begin; i < end; ++i) {
            rows[r + 1][i] = (rows[r][std::max(i - 1, 0)] + rows[r][i] + rows[r][std::min(i + 1, n - 1)]) / 3;
          }
          barrier.wait();  // Row r + 1 is complete everywhere before anyone reads it.
        }
      });
    }
  });
  return rows[rounds];
}

}  // namespace exercise
