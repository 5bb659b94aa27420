// Tests for exercise 12. Do not edit: `./racelings check 12` runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
int count_errors(const std::vector<std::string>& log, int threads);
}

TEST(AtomicCounter, EveryErrorLineIsCountedRoundAfterRound) {
  std::vector<std::string> log;
  int expected = 0;
  const int lines = racelings::testing::rounds(40000, 300);  // Fewer under the controlled scheduler.
  for (int i = 0; i < lines; ++i) {
    bool error = i % 3 != 0;
    log.push_back(error ? "12:00:01 ERROR disk full" : "12:00:01 INFO all good");
    expected += error;
  }
  int most_running = 0;
  for (int round = 0; round < 5; ++round) {
    int errors = 0;
    auto threads = racelings::testing::count_threads([&] { errors = exercise::count_errors(log, 4); });
    ASSERT_EQ(errors, expected) << "round " << round << ": " << expected - errors << " ERROR lines were not counted";
    most_running = std::max(most_running, threads.max_running);
  }
  EXPECT_GE(most_running, 2) << "the log must still be scanned by several threads at once";
}
