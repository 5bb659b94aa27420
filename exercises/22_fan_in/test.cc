// Tests for exercise 22. Do not edit: `./racelings check 22` runs them.
#include <gtest/gtest.h>

#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<int> count_primes(int limit, int tasks);
}

TEST(FanIn, EveryTaskReportsItsPrimes) {
  std::vector<int> counts;
  auto threads = racelings::testing::count_threads([&] { counts = exercise::count_primes(200000, 8); });
  // Primes in [0, 25000), [25000, 50000), ..., [175000, 200000).
  std::vector<int> expected = {2762, 2371, 2260, 2199, 2142, 2114, 2068, 2068};
  EXPECT_EQ(counts, expected);
  EXPECT_GE(threads.spawned, 8) << "each task must still run on its own thread";
  EXPECT_GE(threads.max_running, 2) << "the tasks must run at the same time";
}
