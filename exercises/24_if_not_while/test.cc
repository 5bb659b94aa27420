// Tests for exercise 24. Do not edit: `./racelings check 24` runs them.
#include <gtest/gtest.h>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
int busiest_moment(int spaces, int cars, int trips);
}

TEST(IfNotWhile, TheLotNeverHoldsMoreCarsThanSpaces) {
  const int spaces = 2, cars = 6, trips = racelings::testing::rounds(200, 10);  // Fewer under the controlled scheduler.
  int most = 0;
  auto threads = racelings::testing::count_threads([&] { most = exercise::busiest_moment(spaces, cars, trips); });
  EXPECT_LE(most, spaces) << "more cars parked at once than there are spaces: a car parked without a free space";
  EXPECT_GE(most, 1);
  EXPECT_GE(threads.spawned, cars) << "each car must still drive on its own thread";
  EXPECT_GE(threads.max_running, 2) << "the cars must compete for the spaces at the same time";
}
