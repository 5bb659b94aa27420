// Tests for exercise 32. Do not edit: `./racelings check 32` runs them.
#include <gtest/gtest.h>

#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
long run_cashiers(const std::vector<std::vector<long>>& payments, int& rejected);
}

TEST(ExceptionSkipsUnlock, ABadPaymentIsRejectedAndTheLedgerGoesOn) {
  const std::vector<std::vector<long>> payments = {
      {10, 20, -5, 30, 40},  // One bad payment in the middle.
      {1, 2, 3, 4, 5},
      {100, 200, 300},
  };
  int rejected = -1;
  long total = 0;
  auto threads = racelings::testing::count_threads([&] { total = exercise::run_cashiers(payments, rejected); });
  EXPECT_EQ(total, 10 + 20 + 30 + 40 + 1 + 2 + 3 + 4 + 5 + 100 + 200 + 300);
  EXPECT_EQ(rejected, 1);
  EXPECT_GE(threads.spawned, 3) << "each cashier must still work on its own thread";
}
