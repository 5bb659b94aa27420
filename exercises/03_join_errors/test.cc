// Tests for exercise 03. Do not edit: `./racelings check 03` runs them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<std::string> run_jobs(const std::vector<std::string>& inputs);
}

TEST(JoinErrors, EveryOutcomeReachesTheCaller) {
  std::vector<std::string> outcomes;
  auto threads = racelings::testing::count_threads(
      [&] { outcomes = exercise::run_jobs({"12", "", "x7", "30"}); });
  EXPECT_EQ(outcomes, (std::vector<std::string>{"ok: 12", "error: empty input", "panic: not a number: \"x7\"",
                                                "ok: 30"}))
      << "a job that threw must be reported as \"panic: \" followed by the exception's what()";
  EXPECT_GE(threads.spawned, 4) << "each job must still run on its own thread";
}

TEST(JoinErrors, AThreadThatThrowsDoesNotStopTheOthers) {
  std::vector<std::string> outcomes = exercise::run_jobs({"oops", "1", "", "2", "3.5"});
  EXPECT_EQ(outcomes, (std::vector<std::string>{"panic: not a number: \"oops\"", "ok: 1", "error: empty input",
                                                "ok: 2", "panic: not a number: \"3.5\""}));
}
