// Tests of join_all / when_all (join.h).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/async/both_modes.h"

namespace racelings {
namespace async {
namespace {

using namespace std::chrono_literals;
using namespace testing_util;  // The fixture and its helpers (both_modes.h).

Task<int> delayed(int v, std::chrono::milliseconds d) {
  co_await sleep_for(d);
  co_return v;
}

Task<std::string> word() { co_return "hi"; }

Task<void> nothing() { co_return; }

TEST_P(BothModes, JoinAllGivesEveryValueInArgumentOrder) {
  Runtime rt = make_runtime();
  auto [a, b, c] = rt.block_on([]() -> Task<std::tuple<int, std::string, std::monostate>> {
    co_return co_await join_all(delayed(1, 5ms), word(), nothing());
  });
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, "hi");
  (void)c;
}

TEST_P(BothModes, JoinAllRunsTheTasksConcurrently) {
  // Each task waits for the other: run one after the other, they would hang.
  Runtime rt = make_runtime();
  auto [x, y] = rt.block_on([]() -> Task<std::tuple<int, int>> {
    auto [tx1, rx1] = unbounded_channel<int>();
    auto [tx2, rx2] = unbounded_channel<int>();
    auto ping = [](Sender<int> tx, Receiver<int>& rx) -> Task<int> {
      (co_await tx.send(1)).unwrap();
      co_return *co_await rx.recv();
    };
    co_return co_await join_all(ping(std::move(tx1), rx2), ping(std::move(tx2), rx1));
  });
  EXPECT_EQ(x + y, 2);
}

TEST_P(BothModes, WhenAllIsJoinAll) {
  Runtime rt = make_runtime();
  auto t = rt.block_on(
      []() -> Task<std::tuple<int, int>> { co_return co_await when_all(delayed(3, 1ms), delayed(4, 0ms)); });
  EXPECT_EQ(t, std::make_tuple(3, 4));
}

TEST_P(BothModes, JoinAllRethrowsTheFirstExceptionAfterAllHaveEnded) {
  Runtime rt = make_runtime();
  std::atomic<bool> failing{false};
  std::atomic<bool> slow_finished{false};
  auto fail = [&]() -> Task<int> {
    co_await sleep_for(1ms);
    failing = true;
    throw std::runtime_error("child failed");
  };
  // Still running when the other child throws: it ends only after that.
  auto slow = [&]() -> Task<int> {
    EXPECT_TRUE(co_await eventually_in_task([&] { return failing.load(); }));
    slow_finished = true;
    co_return 1;
  };
  EXPECT_THROW(rt.block_on([&]() -> Task<void> { co_await join_all(fail(), slow()); }), std::runtime_error);
  EXPECT_TRUE(slow_finished.load());
}

TEST_P(BothModes, JoinAllOfAVectorGivesAVector) {
  Runtime rt = make_runtime();
  const int n = 1000;
  std::vector<int> v = rt.block_on([]() -> Task<std::vector<int>> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < n; ++i) tasks.push_back(delayed(i, std::chrono::milliseconds(i % 3)));
    co_return co_await join_all(std::move(tasks));
  });
  ASSERT_EQ(v.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(v[static_cast<size_t>(i)], i);
  std::vector<int> empty = rt.block_on(
      []() -> Task<std::vector<int>> { co_return co_await join_all(std::vector<Task<int>>()); });
  EXPECT_TRUE(empty.empty());
}

TEST_P(BothModes, AbortingTheAwaitingTaskCancelsItsChildren) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    auto sleeper = [](Counted c) -> Task<int> {
      co_await sleep_for(1h);
      co_return c.value();
    };
    JoinHandle<std::tuple<int, int>> h = spawn(join_all(sleeper(Counted(1)), sleeper(Counted(2))));
    EXPECT_TRUE(co_await eventually_in_task([&] { return h.is_suspended(); })) << "join_all never waited";
    h.abort();
    auto r = co_await h.join_result();
    EXPECT_TRUE(r.is_err() && r.error().is_cancelled());
  });
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST_P(BothModes, ChildrenMayBorrowTheAwaitingTasksLocals) {
  Runtime rt = make_runtime();
  int total = rt.block_on([]() -> Task<int> {
    Mutex<int> sum(0);
    auto add = [](Mutex<int>& m, int v) -> Task<void> {
      co_await sleep_for(1ms);
      auto g = co_await m.lock();
      *g += v;
    };
    co_await join_all(add(sum, 1), add(sum, 2), add(sum, 3));
    co_return *co_await sum.lock();
  });
  EXPECT_EQ(total, 6);
}

}  // namespace
}  // namespace async
}  // namespace racelings
