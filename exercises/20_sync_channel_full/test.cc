// Tests for exercise 20. Do not edit: `./racelings check 20` runs them.
#include <gtest/gtest.h>

#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<long> square_all(const std::vector<int>& numbers);
}

TEST(SyncChannelFull, EveryNumberIsSquaredInOrder) {
  std::vector<int> numbers;
  std::vector<long> expected;
  for (int n = 1; n <= 100; ++n) {
    numbers.push_back(n);
    expected.push_back(static_cast<long>(n) * n);
  }
  std::vector<long> got;
  auto threads = racelings::testing::count_threads([&] { got = exercise::square_all(numbers); });
  EXPECT_EQ(got, expected);
  EXPECT_GE(threads.spawned, 1) << "the squaring must still happen on a worker thread";
}
