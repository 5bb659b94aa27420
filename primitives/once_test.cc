// Tests for once.h: Once, OnceState.

#include "primitives/once.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using testing_util::stress_iterations;

TEST(Once, RunsExactlyOnceUnderContention) {
  const int rounds = stress_iterations(100);
  const int threads = 6;
  for (int r = 0; r < rounds; ++r) {
    Once once;
    Barrier start(threads);
    std::atomic<int> runs{0};
    int value = 0;  // Written inside call_once, read after it: Once orders it.
    std::vector<JoinHandle<int>> hs;
    for (int t = 0; t < threads; ++t) {
      hs.push_back(spawn([&] {
        start.wait();
        once.call_once([&] {
          runs.fetch_add(1);
          value = 42;
        });
        return value;
      }));
    }
    for (auto& h : hs) ASSERT_EQ(h.join(), 42);
    ASSERT_EQ(runs.load(), 1);
  }
}

TEST(Once, IsCompletedOnlyAfterASuccessfulCall) {
  Once once;
  EXPECT_FALSE(once.is_completed());
  once.call_once([] {});
  EXPECT_TRUE(once.is_completed());
  int again = 0;
  once.call_once([&] { ++again; });
  EXPECT_EQ(again, 0);
}

TEST(Once, LateCallersWaitForTheRunningCallToFinish) {
  Once once;
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  auto first = spawn([&] {
    once.call_once([&] {
      started.store(true);
      // Only once main waits for this call: a late caller.
      EXPECT_TRUE(testing_util::eventually_blocked(testing_util::kMainThread, detector::WaitKind::kOther));
      finished.store(true);
    });
  });
  while (!started.load()) std::this_thread::yield();
  // call_once returns only once the first call's effects are complete.
  once.call_once([] { FAIL() << "the function must not run twice"; });
  EXPECT_TRUE(finished.load());
  first.join();
}

TEST(Once, AThrowingCallPoisonsTheOnce) {
  Once once;
  EXPECT_THROW(once.call_once([] { throw std::runtime_error("init failed"); }), std::runtime_error);
  EXPECT_FALSE(once.is_completed());
  int ran = 0;
  try {
    once.call_once([&] { ++ran; });
    FAIL() << "call_once on a poisoned Once should throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "Once instance has previously been poisoned");
  }
  EXPECT_EQ(ran, 0);
}

TEST(Once, CallOnceForceRunsOnAPoisonedOnceAndSaysSo) {
  Once once;
  EXPECT_THROW(once.call_once([] { throw std::runtime_error("x"); }), std::runtime_error);
  bool saw_poison = false;
  once.call_once_force([&](OnceState state) { saw_poison = state.is_poisoned(); });
  EXPECT_TRUE(saw_poison);
  EXPECT_TRUE(once.is_completed());
  int ran = 0;
  once.call_once_force([&](OnceState) { ++ran; });
  EXPECT_EQ(ran, 0);
}

TEST(Once, CallOnceForceOnAFreshOnceIsNotPoisoned) {
  Once once;
  bool poisoned = true;
  once.call_once_force([&](OnceState state) { poisoned = state.is_poisoned(); });
  EXPECT_FALSE(poisoned);
}

TEST(Once, WaitersOfAThrowingCallSeeThePoison) {
  Once once;
  std::atomic<bool> started{false};
  auto first = spawn([&] {
    once.call_once([&] {
      started.store(true);
      // Only once main waits for this call: a late caller.
      EXPECT_TRUE(testing_util::eventually_blocked(testing_util::kMainThread, detector::WaitKind::kOther));
      throw std::runtime_error("first failed");
    });
  });
  while (!started.load()) std::this_thread::yield();
  EXPECT_THROW(once.call_once([] {}), std::runtime_error);
  EXPECT_TRUE(first.join_result().is_err());
  EXPECT_FALSE(once.is_completed());
}

TEST(Once, RetryModeRunsTheFunctionAgainAfterAThrow) {
  Once once(Once::OnFailure::kRetry);
  EXPECT_THROW(once.call_once([] { throw std::runtime_error("x"); }), std::runtime_error);
  int ran = 0;
  once.call_once([&] { ++ran; });
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(once.is_completed());
}

}  // namespace
}  // namespace racelings
