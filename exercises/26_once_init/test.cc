// Tests for exercise 26. Do not edit: `./racelings check 26` runs them.
#include <gtest/gtest.h>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
int serve(int workers, int requests, int& opened);
}

TEST(OnceInit, ThePoolIsOpenedOnceAndServesEveryRequest) {
  const int workers = 4, requests = racelings::testing::rounds(1000, 50);  // Fewer under the controlled scheduler.
  int opened = -1, served = 0;
  auto threads = racelings::testing::count_threads([&] { served = exercise::serve(workers, requests, opened); });
  EXPECT_EQ(served, workers * requests);
  EXPECT_EQ(opened, 1) << "the pool must be opened exactly once, by the first worker that needs it";
  EXPECT_GE(threads.spawned, workers) << "each worker must still run on its own thread";
  EXPECT_GE(threads.max_running, 2) << "the workers must serve at the same time";
}
