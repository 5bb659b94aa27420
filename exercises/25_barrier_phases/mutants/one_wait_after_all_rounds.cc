// Adds the barrier wait once, after the last round: the rounds themselves still run ahead of each other.
// expect: runs
//
// Exercise 25: wait at the barrier
//
// smooth() evens out a long row of values in rounds: each new value is the
// average of the old value and its two neighbours. The row is split into one
// slice per thread. The threads wait for each other once, after loading the
// values, but not between rounds, so a thread may read the edge of its
// neighbour's slice while the neighbour is still writing it: a data race.
//
// Make every round start only when the previous one is complete. Keep one
// thread per slice.

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
        }
        barrier.wait();  // Every slice has done every round before anyone returns.
      });
    }
  });
  return rows[rounds];
}

}  // namespace exercise
