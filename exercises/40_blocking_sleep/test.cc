// Tests for exercise 40. Do not edit: `./racelings check 40` runs them.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "primitives/async/async.h"

namespace {

using Clock = std::chrono::steady_clock;

// When each heartbeat happened. Only the runtime's one thread writes it.
std::vector<Clock::time_point> beats;

}  // namespace

// What exercise.cc must provide, and what it may use.
namespace exercise {
racelings::async::Task<long> backup(int files);

void beat() { beats.push_back(Clock::now()); }
}  // namespace exercise

TEST(BlockingSleep, TheHeartbeatKeepsBeatingWhileTheFilesAreCopied) {
  beats.clear();
  auto runtime = racelings::async::Runtime::current_thread();
  const auto start = Clock::now();
  long copied = runtime.block_on(exercise::backup(5));
  const auto end = Clock::now();
  EXPECT_EQ(copied, 1000 + 2000 + 3000 + 4000 + 5000) << "every file must be copied";
  long during = 0;
  for (auto t : beats) during += (t > start && t < end) ? 1 : 0;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(end - start).count();
  // Five copies of 30 ms: at least 150 ms, so about 30 beats of 5 ms. Ask for 10.
  EXPECT_GE(ms, 150) << "each copy must still wait for the disk for 30 ms";
  EXPECT_GE(during, 10) << "the heartbeat beat only " << during << " times in the " << ms
                        << " ms of the backup: something kept the runtime's only thread from running it";
}
