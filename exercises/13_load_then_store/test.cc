// Tests for exercise 13. Do not edit: `./racelings check 13` runs them.
#include <gtest/gtest.h>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
int count_visits(int threads, int per_thread);
}

TEST(LoadThenStore, EveryVisitIsCountedRoundAfterRound) {
  // Fewer visits and rounds under the controlled scheduler, where every
  // atomic operation is a scheduling point.
  const int threads = 4, per_thread = racelings::testing::rounds(100000, 50);
  for (int round = 0; round < racelings::testing::rounds(5, 1); ++round) {
    int visits = 0;
    auto stats = racelings::testing::count_threads([&] { visits = exercise::count_visits(threads, per_thread); });
    ASSERT_EQ(visits, threads * per_thread) << "round " << round << ": "
                                            << threads * per_thread - visits << " visits were lost";
    ASSERT_GE(stats.max_running, 2) << "the visits must still be counted by several threads at once";
  }
}
