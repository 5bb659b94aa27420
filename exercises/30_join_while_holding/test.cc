// Tests for exercise 30. Do not edit: `./racelings check 30` runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<std::string> run_jobs(int jobs);
}

TEST(JoinWhileHolding, TheJournalHasEveryJobBetweenStartAndEnd) {
  const int jobs = 3;
  std::vector<std::string> journal;
  auto threads = racelings::testing::count_threads([&] { journal = exercise::run_jobs(jobs); });
  ASSERT_EQ(journal.size(), static_cast<size_t>(jobs + 2));
  EXPECT_EQ(journal.front(), "jobs started");
  EXPECT_EQ(journal.back(), "all jobs done");
  std::vector<std::string> middle(journal.begin() + 1, journal.end() - 1);
  std::sort(middle.begin(), middle.end());
  EXPECT_EQ(middle, (std::vector<std::string>{"job 0: 0", "job 1: 500500", "job 2: 2001000"}));
  EXPECT_GE(threads.spawned, jobs) << "each job must still run on its own thread";
}
