// Tests of Runtime, spawn, JoinHandle and yield_now (runtime.h), on both
// runtime kinds where the behaviour is the same.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/async/both_modes.h"
#include "primitives/thread.h"

namespace racelings {
namespace async {
namespace {

using namespace std::chrono_literals;
using namespace testing_util;  // The fixture and its helpers (both_modes.h).

Task<int> square(int x) {
  co_await yield_now();
  co_return x* x;
}

TEST_P(BothModes, SpawnedTaskGivesItsValueThroughTheJoinHandle) {
  Runtime rt = make_runtime();
  int v = rt.block_on([]() -> Task<int> {
    JoinHandle<int> h = spawn(square(7));
    co_return co_await h;
  });
  EXPECT_EQ(v, 49);
}

TEST_P(BothModes, RuntimeSpawnFromOutsideThenAwaitInBlockOn) {
  Runtime rt = make_runtime();
  JoinHandle<int> h = rt.spawn(square(5));
  EXPECT_EQ(rt.block_on([&]() -> Task<int> { co_return co_await h; }), 25);
  EXPECT_TRUE(h.is_finished());
}

Task<int> fails() {
  co_await yield_now();
  throw std::runtime_error("task failed");
}

TEST_P(BothModes, SpawnedTaskExceptionIsRethrownByTheAwait) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    JoinHandle<int> h = spawn(fails());
    EXPECT_THROW(co_await h, std::runtime_error);
    JoinHandle<int> h2 = spawn(fails());
    Result<int, JoinError> r = co_await h2.join_result();
    EXPECT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_THROW(r.error().resume_panic(), std::runtime_error);
  });
}

TEST_P(BothModes, AwaitingAJoinHandleTwiceThrows) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    JoinHandle<int> h = spawn(square(2));
    EXPECT_EQ(co_await h, 4);
    EXPECT_THROW(co_await h, std::logic_error);
    JoinHandle<int> empty;
    EXPECT_THROW(co_await empty, std::logic_error);
  });
}

TEST_P(BothModes, DroppedJoinHandleDetachesTheTask) {
  Runtime rt = make_runtime();
  auto [tx, rx] = unbounded_channel<int>();
  auto [go_tx, go_rx] = unbounded_channel<int>();
  rt.block_on([&rx = rx, tx = std::move(tx), &go_tx = go_tx, &go_rx = go_rx]() mutable -> Task<void> {
    {
      // The handle is dropped at once; the task still runs to its end,
      // which it reaches only after the drop.
      auto ignored = spawn([tx = std::move(tx), &go_rx]() mutable -> Task<void> {
        co_await go_rx.recv();
        (co_await tx.send(99)).unwrap();
      });
    }
    (co_await go_tx.send(1)).unwrap();
    std::optional<int> v = co_await rx.recv();
    EXPECT_EQ(v, 99);
    EXPECT_EQ(co_await rx.recv(), std::nullopt);  // The task ended: its Sender is gone.
  });
}

Task<void> sleep_with(Counted c, std::chrono::milliseconds d) {
  co_await sleep_for(d);
  (void)c;
}

TEST_P(BothModes, AbortCancelsASleepingTaskAndDestroysItsFrame) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    JoinHandle<void> h = spawn(sleep_with(Counted(1), std::chrono::hours(1)));
    EXPECT_TRUE(co_await eventually_in_task([&] { return h.is_suspended(); })) << "the task never slept";
    EXPECT_EQ(Counted::alive(), 1);
    h.abort();
    Result<void, JoinError> r = co_await h.join_result();
    EXPECT_TRUE(r.is_err() && r.error().is_cancelled());
    EXPECT_TRUE(h.is_finished());
  });
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST_P(BothModes, AbortedTaskThrowsJoinErrorWhenAwaited) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    JoinHandle<void> h = spawn(sleep_with(Counted(1), std::chrono::hours(1)));
    h.abort();
    bool cancelled = false;
    try {
      co_await h;
    } catch (const JoinError& e) {
      cancelled = e.is_cancelled();
    }
    EXPECT_TRUE(cancelled);
  });
  EXPECT_EQ(Counted::alive(), 0);
}

TEST_P(BothModes, AbortStopsARunningTaskAtItsNextSuspension) {
  Runtime rt = make_runtime();
  std::atomic<long> spins{0};
  rt.block_on([&]() -> Task<void> {
    JoinHandle<void> h = spawn([&]() -> Task<void> {
      for (;;) {
        spins.fetch_add(1, std::memory_order_relaxed);
        co_await yield_now();
      }
    });
    while (spins.load(std::memory_order_relaxed) < 10) co_await yield_now();
    h.abort();
    auto r = co_await h.join_result();
    EXPECT_TRUE(r.is_err() && r.error().is_cancelled());
  });
}

TEST_P(BothModes, AbortOfAFinishedTaskKeepsItsValue) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    JoinHandle<int> h = spawn(square(3));
    while (!h.is_finished()) co_await yield_now();
    h.abort();
    EXPECT_EQ(co_await h, 9);
  });
}

TEST_P(BothModes, AbortWhileWaitingOnAChannelLeavesTheChannelUsable) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = channel<Counted>(1);
    auto rx_shared = std::make_shared<Receiver<Counted>>(std::move(rx));
    JoinHandle<int> h = spawn([rx_shared]() -> Task<int> {
      std::optional<Counted> c = co_await rx_shared->recv();
      co_return c ? c->value() : -1;
    });
    EXPECT_TRUE(co_await eventually_in_task([&] { return h.is_suspended(); })) << "the task never waited in recv";
    h.abort();
    auto r = co_await h.join_result();
    EXPECT_TRUE(r.is_err());
    (co_await tx.send(Counted(4))).unwrap();
    std::optional<Counted> got = co_await rx_shared->recv();
    EXPECT_TRUE(got.has_value() && got->value() == 4);
  });
  EXPECT_EQ(Counted::alive(), 0);
}

TEST_P(BothModes, HundredThousandSpawnedTasksAllRun) {
  Runtime rt = make_runtime();
  const long n = testing_util::scaled(100000);
  std::atomic<long> ran{0};
  long sum = rt.block_on([&]() -> Task<long> {
    std::vector<JoinHandle<long>> handles;
    handles.reserve(static_cast<size_t>(n));
    for (long i = 0; i < n; ++i) {
      handles.push_back(spawn([&ran, i]() -> Task<long> {
        ran.fetch_add(1, std::memory_order_relaxed);
        co_return i;
      }));
    }
    long s = 0;
    for (auto& h : handles) s += co_await h;
    co_return s;
  });
  EXPECT_EQ(ran.load(), n);
  EXPECT_EQ(sum, n * (n - 1) / 2);
}

TEST_P(BothModes, DestroyingTheRuntimeDestroysUnfinishedTasks) {
  {
    Runtime rt = make_runtime();
    auto [tx, rx] = channel<int>(1);
    rt.block_on([&rx = rx]() -> Task<void> {
      // A detached sleeper, and a detached receiver that never gets a message.
      auto a = spawn(sleep_with(Counted(1), std::chrono::hours(1)));
      auto b = spawn([](Receiver<int>* r, Counted c) -> Task<void> {
        co_await r->recv();
        (void)c;
      }(&rx, Counted(2)));
      EXPECT_TRUE(co_await eventually_in_task([&] { return a.is_suspended() && b.is_suspended(); }))
          << "the tasks never suspended";
    });
    EXPECT_EQ(Counted::alive(), 2);
    // A task spawned but never run is destroyed too.
    auto c = rt.spawn(sleep_with(Counted(3), 1ms));
    (void)tx;
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST_P(BothModes, JoinHandleOutlivingTheRuntimeReportsCancellation) {
  JoinHandle<void> h;
  {
    Runtime rt = make_runtime();
    h = rt.spawn(sleep_with(Counted(1), std::chrono::hours(1)));
  }
  EXPECT_TRUE(h.is_finished());
  Runtime other = Runtime::current_thread();
  auto r = other.block_on([&]() -> Task<Result<void, JoinError>> { co_return co_await h.join_result(); });
  EXPECT_TRUE(r.is_err() && r.error().is_cancelled());
}

TEST(RuntimeTest, CurrentThreadRuntimeRunsEverythingOnTheCallingThread) {
  Runtime rt = Runtime::current_thread();
  EXPECT_TRUE(rt.is_current_thread());
  EXPECT_EQ(rt.worker_count(), 0u);
  const auto me = std::this_thread::get_id();
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<std::thread::id>> hs;
    for (int i = 0; i < 10; ++i) {
      hs.push_back(spawn([]() -> Task<std::thread::id> {
        co_await sleep_for(1ms);
        co_return std::this_thread::get_id();
      }));
    }
    for (auto& h : hs) EXPECT_EQ(co_await h, me);
  });
}

TEST(RuntimeTest, MultiThreadRuntimeRunsTasksOnNamedWorkers) {
  Runtime rt = Runtime::multi_thread(3);
  EXPECT_FALSE(rt.is_current_thread());
  EXPECT_EQ(rt.worker_count(), 3u);
  std::set<std::string> names = rt.block_on([]() -> Task<std::set<std::string>> {
    std::vector<JoinHandle<std::string>> hs;
    for (int i = 0; i < 30; ++i) {
      hs.push_back(spawn([]() -> Task<std::string> {
        co_await sleep_for(1ms);
        co_return std::string(current_thread_name());
      }));
    }
    std::set<std::string> seen;
    for (auto& h : hs) seen.insert(co_await h);
    co_return seen;
  });
  for (const std::string& n : names) EXPECT_EQ(n.rfind("async-worker-", 0), 0u) << n;
  EXPECT_NE(std::this_thread::get_id(), std::thread::id());
}

TEST(RuntimeTest, CurrentThreadRunsSpawnedTasksInSpawnOrder) {
  Runtime rt = Runtime::current_thread();
  std::vector<int> order;
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < 5; ++i) {
      hs.push_back(spawn([&order, i]() -> Task<void> {
        order.push_back(i);
        co_return;
      }));
    }
    for (auto& h : hs) co_await h;
  });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(RuntimeTest, YieldNowLetsTheOtherTasksRunFirst) {
  Runtime rt = Runtime::current_thread();
  std::vector<std::string> log;
  rt.block_on([&]() -> Task<void> {
    auto worker = [&log](std::string name) -> Task<void> {
      for (int i = 0; i < 3; ++i) {
        log.push_back(name + std::to_string(i));
        co_await yield_now();
      }
    };
    auto a = spawn(worker("a"));
    auto b = spawn(worker("b"));
    co_await a;
    co_await b;
  });
  EXPECT_EQ(log, (std::vector<std::string>{"a0", "b0", "a1", "b1", "a2", "b2"}));
}

TEST(RuntimeTest, TasksSpawnedFromAThreadRunOnTheRuntime) {
  Runtime rt = Runtime::multi_thread(2);
  std::atomic<int> done{0};
  auto t = racelings::spawn([&] {
    std::vector<JoinHandle<int>> hs;
    for (int i = 0; i < 100; ++i) hs.push_back(rt.spawn(square(i)));
    int sum = rt.block_on([&]() -> Task<int> {
      int s = 0;
      for (auto& h : hs) s += co_await h;
      co_return s;
    });
    done = sum;
  });
  t.join();
  int expected = 0;
  for (int i = 0; i < 100; ++i) expected += i * i;
  EXPECT_EQ(done.load(), expected);
}

TEST(RuntimeTest, RuntimeIsMovable) {
  Runtime a = Runtime::multi_thread(1);
  Runtime b = std::move(a);
  EXPECT_EQ(b.block_on(square(6)), 36);
}

}  // namespace
}  // namespace async
}  // namespace racelings
