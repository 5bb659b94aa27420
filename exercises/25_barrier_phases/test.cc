// Tests for exercise 25. Do not edit: `./racelings check 25` runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<int> smooth(const std::vector<int>& values, int rounds, int threads);
}

// The same computation, one round after the other on one thread.
std::vector<int> smooth_sequentially(std::vector<int> row, int rounds) {
  const int n = static_cast<int>(row.size());
  for (int r = 0; r < rounds; ++r) {
    std::vector<int> next(n);
    for (int i = 0; i < n; ++i) next[i] = (row[std::max(i - 1, 0)] + row[i] + row[std::min(i + 1, n - 1)]) / 3;
    row = next;
  }
  return row;
}

TEST(BarrierPhases, EveryRoundUsesTheWholePreviousRound) {
  // Smaller under the controlled scheduler.
  const int threads = 4, n = racelings::testing::rounds(20000, 400), rounds = racelings::testing::rounds(20, 4);
  const int period = n / 20;
  std::vector<int> values(n);
  for (int i = 0; i < n; ++i) values[i] = (i % period == period - 1 || i % period == 0) ? 9000 : 0;  // Spikes at the slice edges.
  std::vector<int> got;
  auto stats = racelings::testing::count_threads([&] { got = exercise::smooth(values, rounds, threads); });
  EXPECT_EQ(got, smooth_sequentially(values, rounds));
  EXPECT_GE(stats.spawned, threads) << "each slice must still be computed by its own thread";
  EXPECT_GE(stats.max_running, 2) << "the slices must be computed at the same time";
}
