// Tests for exercise 16. Do not edit: `./racelings check 16` runs them.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
long run_for(std::chrono::milliseconds duration);

// What exercise.cc may use: a job that waits a little, as for a disk or the network.
void handle_job(long) { std::this_thread::sleep_for(std::chrono::microseconds(50)); }
}  // namespace exercise

TEST(StopFlag, TheWorkerWorksUntilItIsToldToStop) {
  long jobs = 0;
  auto start = std::chrono::steady_clock::now();
  auto threads = racelings::testing::count_threads([&] { jobs = exercise::run_for(std::chrono::milliseconds(20)); });
  auto elapsed = std::chrono::steady_clock::now() - start;
  // Under the controlled scheduler the sleep may end before the worker first
  // runs (a schedule the operating system could pick too, only rarely): a
  // correct fix then handles no job, so only ordinary runs require one.
  if (!racelings::testing::exploring()) EXPECT_GT(jobs, 0) << "the worker handled no job at all";
  EXPECT_LT(elapsed, std::chrono::seconds(5)) << "the worker did not stop when asked";
  EXPECT_GE(threads.spawned, 1) << "the jobs must still run on a worker thread";
}
