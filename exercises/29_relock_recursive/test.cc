// Tests for exercise 29. Do not edit: `./racelings check 29` runs them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<long> count_parts(const std::vector<std::string>& products);
}

TEST(RelockRecursive, PartsAreCountedThroughEveryLevel) {
  std::vector<long> counts;
  auto threads = racelings::testing::count_threads([&] { counts = exercise::count_parts({"bike", "tricycle", "wheel", "bell"}); });
  // wheel = 32 + 1 + 1 = 34; frame = 5 + 8 = 13; bike = 2 * 34 + 13 + 1; tricycle = 3 * 34 + 13; bell is basic.
  EXPECT_EQ(counts, (std::vector<long>{82, 115, 34, 1}));
  EXPECT_GE(threads.spawned, 4) << "each product must still be counted on its own thread";
}
