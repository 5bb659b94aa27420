// Tests for exercise 27. Do not edit: `./racelings check 27` runs them.
#include <gtest/gtest.h>

#include <utility>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::pair<long, long> run_tellers(int transfers);
}

TEST(BankTransfer, TransfersInBothDirectionsFinishAndKeepEveryCent) {
  const int transfers = 100;
  std::pair<long, long> balances;
  auto threads = racelings::testing::count_threads([&] { balances = exercise::run_tellers(transfers); });
  EXPECT_EQ(balances.first, 1000 - 10 * transfers + 7 * transfers);
  EXPECT_EQ(balances.second, 1000 + 10 * transfers - 7 * transfers);
  EXPECT_GE(threads.spawned, 2) << "both tellers must still work on their own threads";
}
