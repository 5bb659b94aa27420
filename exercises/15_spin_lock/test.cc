// Tests for exercise 15. Do not edit: `./racelings check 15` runs them.
#include <gtest/gtest.h>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
long deposit_all(int threads, int deposits);
}

TEST(SpinLock, EveryDepositIsInTheBalance) {
  long balance = 0;
  const int deposits = racelings::testing::rounds(20000, 50);  // Fewer under the controlled scheduler.
  auto threads = racelings::testing::count_threads([&] { balance = exercise::deposit_all(4, deposits); });
  EXPECT_EQ(balance, 4 * deposits) << "deposits were lost";
  EXPECT_GE(threads.max_running, 2) << "the deposits must still be made by several threads at once";
}
