// Tests of sleep_for / sleep_until (sleep.h) on both runtime kinds.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/async/both_modes.h"

namespace racelings {
namespace async {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using namespace testing_util;  // The fixture and its helpers (both_modes.h).

TEST_P(BothModes, SleepersWakeInDeadlineOrder) {
  // One worker: tasks woken together (on a slow machine) still run in the
  // order their timers fired.
  Runtime rt = GetParam() == Mode::kCurrentThread ? Runtime::current_thread() : Runtime::multi_thread(1);
  std::mutex mu;
  std::vector<int> order;
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> hs;
    // Deadlines well ahead, so that all three timers are set before the first fires.
    const auto base = Clock::now() + 100ms;
    for (int ms : {30, 10, 20}) {
      hs.push_back(spawn([&, ms, base]() -> Task<void> {
        co_await sleep_until(base + std::chrono::milliseconds(ms));
        std::lock_guard<std::mutex> lock(mu);
        order.push_back(ms);
      }));
    }
    for (auto& h : hs) co_await h;
  });
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
}

TEST_P(BothModes, SleepLastsAtLeastItsDuration) {
  Runtime rt = make_runtime();
  auto start = Clock::now();
  rt.block_on([]() -> Task<void> { co_await sleep_for(15ms); });
  EXPECT_GE(Clock::now() - start, 15ms);
}

TEST_P(BothModes, SleepUntilInThePastDoesNotSuspend) {
  Runtime rt = make_runtime();
  std::mutex mu;
  std::vector<std::string> log;
  auto start = Clock::now();
  rt.block_on([&]() -> Task<void> {
    auto other = spawn([&]() -> Task<void> {
      std::lock_guard<std::mutex> lock(mu);
      log.push_back("other");
      co_return;
    });
    co_await sleep_until(Clock::now() - 1h);
    co_await sleep_for(0ms);
    {
      std::lock_guard<std::mutex> lock(mu);
      log.push_back("past");  // No suspension: on one thread, `other` has not run yet.
    }
    co_await other;
  });
  EXPECT_LT(Clock::now() - start, 10s);
  if (GetParam() == Mode::kCurrentThread) EXPECT_EQ(log, (std::vector<std::string>{"past", "other"}));
  EXPECT_EQ(log.size(), 2u);
}

TEST_P(BothModes, SleepUntilWakesAtTheDeadline) {
  Runtime rt = make_runtime();
  auto deadline = Clock::now() + 10ms;
  rt.block_on([&]() -> Task<void> { co_await sleep_until(deadline); });
  EXPECT_GE(Clock::now(), deadline);
}

TEST_P(BothModes, ManySleepersDoNotNeedAThreadEach) {
  Runtime rt = make_runtime();
  const int n = static_cast<int>(testing_util::scaled(10000));
  auto start = Clock::now();
  int woke = rt.block_on([n]() -> Task<int> {
    std::vector<JoinHandle<int>> hs;
    for (int i = 0; i < n; ++i) {
      hs.push_back(spawn([i]() -> Task<int> {
        co_await sleep_for(std::chrono::milliseconds(1 + i % 20));
        co_return 1;
      }));
    }
    int sum = 0;
    for (auto& h : hs) sum += co_await h;
    co_return sum;
  });
  EXPECT_EQ(woke, n);
  EXPECT_LT(Clock::now() - start, 20s);
}

TEST_P(BothModes, SameDeadlineFiresInTheOrderTheTimersWereSet) {
  // One worker: the timers are set in spawn order.
  Runtime rt = GetParam() == Mode::kCurrentThread ? Runtime::current_thread() : Runtime::multi_thread(1);
  std::vector<int> order;
  rt.block_on([&]() -> Task<void> {
    auto deadline = Clock::now() + 100ms;  // After every task has set its timer.
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < 50; ++i) {
      hs.push_back(spawn([&order, deadline, i]() -> Task<void> {
        co_await sleep_until(deadline);
        order.push_back(i);
      }));
    }
    for (auto& h : hs) co_await h;
  });
  ASSERT_EQ(order.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
}

TEST_P(BothModes, AbortedSleeperLeavesNoTimerBehind) {
  Runtime rt = make_runtime();
  auto start = Clock::now();
  rt.block_on([]() -> Task<void> {
    auto h = spawn([](Counted c) -> Task<void> {
      co_await sleep_for(1h);
      (void)c;
    }(Counted(1)));
    EXPECT_TRUE(co_await eventually_in_task([&] { return h.is_suspended(); })) << "the sleeper never set its timer";
    h.abort();
    (void)co_await h.join_result();
  });
  EXPECT_LT(Clock::now() - start, 10s);
  EXPECT_EQ(Counted::alive(), 0);
}

}  // namespace
}  // namespace async
}  // namespace racelings
