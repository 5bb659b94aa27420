// Tests for exercise 09. Do not edit: `./racelings check 09` runs them.
#include <gtest/gtest.h>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
long run_readers(int threads, int rounds);
}

TEST(WriteUnderReadLock, EveryLookupIsRightAndCounted) {
  long lookups = 0;
  const int rounds = racelings::testing::rounds(3000, 30);  // Fewer under the controlled scheduler.
  auto threads = racelings::testing::count_threads([&] { lookups = exercise::run_readers(4, rounds); });
  EXPECT_NE(lookups, -1) << "a lookup returned the wrong number";
  EXPECT_EQ(lookups, 4 * rounds * 2) << "some lookups were not counted";
  EXPECT_GE(threads.max_running, 2) << "the readers must still run at the same time";
}
