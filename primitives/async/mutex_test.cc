// Tests of async::Mutex<T> (mutex.h).

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/async/both_modes.h"

namespace racelings {
namespace async {
namespace {

using namespace std::chrono_literals;
using namespace testing_util;  // The fixture and its helpers (both_modes.h).

TEST_P(BothModes, MutualExclusionUnderManyTasks) {
  // A plain (non-atomic) counter and a read-yield-write critical section:
  // without the lock increments would be lost (and TSan would report a race).
  Runtime rt = make_runtime();
  const int tasks = static_cast<int>(testing_util::scaled(200));
  const int rounds = 50;
  struct Shared {
    long counter = 0;
    int inside = 0;
    int max_inside = 0;
  };
  Mutex<Shared> m;
  testing_util::ThreadsSeen seen(GetParam());
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> hs;
    for (int t = 0; t < tasks; ++t) {
      hs.push_back(spawn([&m, &seen]() -> Task<void> {
        seen.arrive();  // Multi-thread: the tasks really run in parallel.
        for (int r = 0; r < rounds; ++r) {
          auto g = co_await m.lock();
          g->inside++;
          g->max_inside = std::max(g->max_inside, g->inside);
          long seen = g->counter;
          co_await yield_now();  // Held across a suspension: allowed for an async mutex.
          g->counter = seen + 1;
          g->inside--;
        }
      }));
    }
    for (auto& h : hs) co_await h;
  });
  auto g = m.try_lock();
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ((*g)->counter, static_cast<long>(tasks) * rounds);
  EXPECT_EQ((*g)->max_inside, 1);
  expect_threads_used(seen);
}

TEST_P(BothModes, WaitersGetTheLockInTheOrderTheyAsked) {
  // One worker: the order in which the tasks ask is then the spawn order.
  Runtime rt = GetParam() == Mode::kCurrentThread ? Runtime::current_thread() : Runtime::multi_thread(1);
  Mutex<std::vector<int>> m;
  const int n = 20;
  rt.block_on([&]() -> Task<void> {
    auto first = co_await m.lock();
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < n; ++i) {
      hs.push_back(spawn([&m, i]() -> Task<void> {
        auto g = co_await m.lock();
        g->push_back(i);
      }));
      // Task i queues before task i+1 is spawned.
      EXPECT_TRUE(co_await eventually_in_task([&] { return hs.back().is_suspended(); }))
          << "task " << i << " never queued";
    }
    first.unlock();
    for (auto& h : hs) co_await h;
  });
  std::vector<int> expected;
  for (int i = 0; i < n; ++i) expected.push_back(i);
  EXPECT_EQ(std::move(m).into_inner(), expected);
}

TEST_P(BothModes, UnlockThenLockAgainQueuesBehindTheWaiters) {
  Runtime rt = GetParam() == Mode::kCurrentThread ? Runtime::current_thread() : Runtime::multi_thread(1);
  Mutex<std::vector<std::string>> m;
  rt.block_on([&]() -> Task<void> {
    auto g = co_await m.lock();
    auto other = spawn([&m]() -> Task<void> { (co_await m.lock())->push_back("other"); });
    EXPECT_TRUE(co_await eventually_in_task([&] { return other.is_suspended(); })) << "`other` never waited";
    g->push_back("first");
    g.unlock();
    (co_await m.lock())->push_back("again");  // Fair: behind `other`.
    co_await other;
  });
  EXPECT_EQ(std::move(m).into_inner(), (std::vector<std::string>{"first", "other", "again"}));
}

TEST_P(BothModes, TryLockFailsWhileHeldOrWhileTasksWait) {
  Runtime rt = make_runtime();
  Mutex<int> m(0, "counter");
  rt.block_on([&]() -> Task<void> {
    auto g = co_await m.lock();
    EXPECT_FALSE(m.try_lock().has_value());
    auto waiter = spawn([&m]() -> Task<void> { *co_await m.lock() += 1; });
    EXPECT_TRUE(co_await eventually_in_task([&] { return waiter.is_suspended(); })) << "the waiter never queued";
    g.unlock();
    // The lock went straight to the waiter (hand-off), so it is not free (on
    // one thread the waiter cannot have run yet).
    if (GetParam() == Mode::kCurrentThread) EXPECT_FALSE(m.try_lock().has_value());
    co_await waiter;
    auto again = m.try_lock();
    EXPECT_TRUE(again.has_value());
  });
}

TEST_P(BothModes, GuardMayBeHeldAcrossSleepsAndMovedToAnotherTask) {
  Runtime rt = make_runtime();
  Mutex<int> m(0);
  int v = rt.block_on([&]() -> Task<int> {
    auto g = co_await m.lock();
    co_await sleep_for(1ms);
    *g = 5;
    auto h = spawn([](MutexGuard<int> moved) -> Task<void> {
      co_await sleep_for(1ms);
      *moved += 1;
    }(std::move(g)));
    co_await h;
    co_return *co_await m.lock();
  });
  EXPECT_EQ(v, 6);
}

TEST_P(BothModes, AbortedWaiterLeavesTheQueue) {
  Runtime rt = GetParam() == Mode::kCurrentThread ? Runtime::current_thread() : Runtime::multi_thread(1);
  Mutex<std::vector<int>> m;
  rt.block_on([&]() -> Task<void> {
    auto g = co_await m.lock();
    auto a = spawn([&m]() -> Task<void> { (co_await m.lock())->push_back(1); });
    EXPECT_TRUE(co_await eventually_in_task([&] { return a.is_suspended(); })) << "`a` never queued";
    auto b = spawn([&m]() -> Task<void> { (co_await m.lock())->push_back(2); });
    EXPECT_TRUE(co_await eventually_in_task([&] { return b.is_suspended(); })) << "`b` never queued";
    a.abort();
    (void)co_await a.join_result();
    g.unlock();
    co_await b;
  });
  EXPECT_EQ(std::move(m).into_inner(), std::vector<int>{2});
}

TEST_P(BothModes, LockHandedToAnAbortedTaskIsPassedOn) {
  // The lock is handed to `a` and `a` is aborted before it runs: the lock
  // must go on to `b` instead of staying held by a dead task.
  Runtime rt = Runtime::current_thread();
  Mutex<std::vector<int>> m;
  rt.block_on([&]() -> Task<void> {
    auto g = co_await m.lock();
    auto a = spawn([](Mutex<std::vector<int>>& m, Counted c) -> Task<void> {
      (co_await m.lock())->push_back(1);
      (void)c;
    }(m, Counted(1)));
    co_await yield_now();
    auto b = spawn([&m]() -> Task<void> { (co_await m.lock())->push_back(2); });
    co_await yield_now();
    g.unlock();  // Hands the lock to `a` (queued to run)...
    a.abort();   // ...which is cancelled before it runs.
    co_await b;
  });
  EXPECT_EQ(std::move(m).into_inner(), std::vector<int>{2});
  EXPECT_EQ(Counted::alive(), 0);
}

}  // namespace
}  // namespace async
}  // namespace racelings
