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
  long expected = std::accumulate(numbers.begin(), numbers.end(), 0L);
  for (int round = 0; round < 20; ++round) {
    long got = 0;
    auto threads = racelings::testing::count_threads([&] { got = exercise::sum_in_background(numbers); });
    ASSERT_EQ(got, expected) << "round " << round << ": the caller read the total before the worker wrote it";
    ASSERT_GE(threads.spawned, 1) << "the sum must still be computed on a spawned worker thread";
  }
}
