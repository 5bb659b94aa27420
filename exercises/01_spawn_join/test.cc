// Tests for exercise 01. Do not edit: `./racelings check 01` runs them.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
long sum_in_background(const std::vector<int>& numbers);
}

TEST(SpawnJoin, TheCallerSeesTheWorkersCompleteSum) {
  std::vector<int> numbers(20000);
  std::iota(numbers.begin(), numbers.end(), 1);
  const long expected = std::accumulate(numbers.begin(), numbers.end(), 0L);
  int wrong_rounds = 0;
  // Fewer rounds under the controlled scheduler, which tries many schedules instead.
  const int rounds = racelings::testing::rounds(20, 3);
  for (int round = 0; round < rounds; ++round) {
    long got = 0;
    auto threads = racelings::testing::count_threads([&] { got = exercise::sum_in_background(numbers); });
    ASSERT_GE(threads.spawned, 1) << "the first half must still be summed on a spawned worker thread";
    if (got != expected) ++wrong_rounds;
  }
  EXPECT_EQ(wrong_rounds, 0) << "in " << wrong_rounds
                             << " of " << rounds << " rounds the caller read the worker's half before the worker wrote it";
}
