// Tests of join() and ParallelPool (parallel.h, scheduler.h): results,
// nesting, stealing, exceptions, pools of your own, and calls from threads
// outside every pool.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "primitives/channel.h"
#include "primitives/mutex.h"
#include "primitives/parallel/parallel.h"
#include "primitives/parallel/thread_pool.h"
#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using detector::WaitKind;
using testing_util::eventually_blocked;
using testing_util::kMainThread;

uint64_t fib_seq(unsigned n) { return n < 2 ? n : fib_seq(n - 1) + fib_seq(n - 2); }

uint64_t fib_par(unsigned n, unsigned cutoff) {
  if (n < cutoff) return fib_seq(n);
  auto [a, b] = join([&] { return fib_par(n - 1, cutoff); }, [&] { return fib_par(n - 2, cutoff); });
  return a + b;
}

void quicksort(int* first, int* last) {
  if (last - first <= 32) {
    std::sort(first, last);
    return;
  }
  int pivot = first[(last - first) / 2];
  int* mid1 = std::partition(first, last, [pivot](int x) { return x < pivot; });
  int* mid2 = std::partition(mid1, last, [pivot](int x) { return !(pivot < x); });
  join([&] { quicksort(first, mid1); }, [&] { quicksort(mid2, last); });
}

TEST(Join, ReturnsBothResultsFromOutsideThePool) {
  auto [a, b] = join([] { return 1; }, [] { return std::string("two"); });
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, "two");
}

TEST(Join, VoidHalvesAreMonostateAndBothVoidReturnsVoid) {
  int x = 0, y = 0;
  join([&] { x = 1; }, [&] { y = 2; });
  EXPECT_EQ(x + y, 3);
  auto [u, v] = join([&] { x = 5; }, [] { return 7; });
  static_assert(std::is_same_v<decltype(u), std::monostate>);
  EXPECT_EQ(v, 7);
  EXPECT_EQ(x, 5);
}

TEST(Join, RecursiveFibonacciMatchesTheSequentialOne) {
  for (unsigned n : {0u, 1u, 2u, 10u, 20u, 25u}) EXPECT_EQ(fib_par(n, 2), fib_seq(n)) << n;
  EXPECT_EQ(fib_par(27, 12), fib_seq(27));
}

TEST(Join, ParallelQuicksortSortsRandomInputsOfManySizes) {
  std::mt19937 rng(42);
  for (size_t n : {0, 1, 2, 3, 31, 32, 33, 100, 1000, 50000}) {
    std::vector<int> v(n);
    for (int& x : v) x = static_cast<int>(rng() % 1000);  // Many duplicates.
    std::vector<int> expected = v;
    std::sort(expected.begin(), expected.end());
    quicksort(v.data(), v.data() + v.size());
    EXPECT_EQ(v, expected) << "n=" << n;
  }
}

TEST(Join, ExceptionFromAIsRethrownOnlyAfterAStolenBFinished) {
  // a runs on the calling thread and throws only once b was stolen and has
  // started; b finishes only once the caller is blocked waiting for it. A
  // join that rethrew a's exception without waiting for b would reach the
  // catch below with b unfinished, on every run.
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> a_on_caller{false};
  std::atomic<bool> b_started{false};
  std::atomic<bool> b_ran{false};
  try {
    join(
        [&]() -> int {
          a_on_caller.store(std::this_thread::get_id() == caller);
          while (!b_started.load()) std::this_thread::yield();
          throw std::runtime_error("from a");
        },
        [&] {
          b_started.store(true);
          EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kOther)) << "the caller never waited for b";
          b_ran.store(true);
          return 2;
        });
    FAIL() << "join did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "from a");
  }
  EXPECT_TRUE(a_on_caller.load()) << "a did not run on the calling thread";
  EXPECT_TRUE(b_ran.load()) << "join rethrew before b finished";
}

TEST(Join, ExceptionFromBIsRethrown) {
  int a_result = 0;
  EXPECT_THROW(join([&] { a_result = 1; }, []() { throw std::out_of_range("from b"); }), std::out_of_range);
  EXPECT_EQ(a_result, 1);
}

TEST(Join, WhenBothThrowAsExceptionWins) {
  try {
    join([] { throw std::runtime_error("a"); }, [] { throw std::logic_error("b"); });
    FAIL() << "join did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "a");
  }
}

TEST(Join, ExceptionDeepInARecursionReachesTheCaller) {
  std::function<int(int)> tree = [&](int depth) -> int {
    if (depth == 0) return 1;
    if (depth == 3) {
      auto [l, r] = join([&] { return tree(depth - 1); }, [&]() -> int { throw std::runtime_error("leaf"); });
      return l + r;
    }
    auto [l, r] = join([&] { return tree(depth - 1); }, [&] { return tree(depth - 1); });
    return l + r;
  };
  EXPECT_THROW(tree(10), std::runtime_error);
  // The pool is still fine afterwards.
  EXPECT_EQ(fib_par(20, 5), fib_seq(20));
}

TEST(Join, TheSecondHalfCanBeStolenByAnotherWorker) {
  ParallelPool pool(2);
  // a waits for b: possible only if another worker steals and runs b.
  bool stolen = pool.install([] {
    std::atomic<bool> b_done{false};
    auto [ok, unused] = join(
        [&] {
          auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (!b_done.load(std::memory_order_acquire)) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::yield();
          }
          return true;
        },
        [&] { b_done.store(true, std::memory_order_release); });
    (void)unused;
    return ok;
  });
  EXPECT_TRUE(stolen);
}

TEST(Join, WorksFromManyOutsideThreadsAtOnce) {
  const int threads = 4;
  std::vector<JoinHandle<uint64_t>> hs;
  for (int t = 0; t < threads; ++t) hs.push_back(spawn([t] { return fib_par(18 + t, 8); }));
  for (int t = 0; t < threads; ++t) EXPECT_EQ(hs[t].join(), fib_seq(18 + t));
}

TEST(Join, WorksFromThreadPoolTasks) {
  ThreadPool pool(3);
  std::atomic<uint64_t> total{0};
  for (int i = 0; i < 6; ++i) pool.execute([&total] { total.fetch_add(fib_par(20, 10)); });
  pool.join();
  EXPECT_EQ(total.load(), 6 * fib_seq(20));
  EXPECT_EQ(pool.panic_count(), 0u);
}

TEST(ParallelPool, InstallRunsOnANamedWorkerOfThatPool) {
  ParallelPool pool = ParallelPoolBuilder().num_threads(3).thread_name("crunch").build();
  EXPECT_EQ(pool.current_num_threads(), 3u);
  EXPECT_FALSE(current_thread_index().has_value());
  auto [name, threads, index] = pool.install(
      [] { return std::tuple(std::string(current_thread_name()), current_num_threads(), current_thread_index()); });
  EXPECT_EQ(name.rfind("crunch-", 0), 0u) << name;
  EXPECT_EQ(threads, 3u);
  ASSERT_TRUE(index.has_value());
  EXPECT_LT(*index, 3u);
}

TEST(ParallelPool, WorkInsideInstallStaysInThePool) {
  ParallelPool pool(2);
  Mutex<std::set<std::string>> names(std::set<std::string>{}, "names");
  pool.install([&] {
    par_for_each(std::views::iota(0, 2000), [&](int) {
      auto g = names.lock();
      g->insert(std::string(current_thread_name()));
    });
  });
  auto g = names.lock();
  ASSERT_FALSE(g->empty());
  for (const auto& n : *g) EXPECT_EQ(n.rfind("par-worker-", 0), 0u) << n;
}

TEST(ParallelPool, InstallReturnsValuesAndRethrows) {
  ParallelPool pool(2);
  EXPECT_EQ(pool.install([] { return 42; }), 42);
  pool.install([] {});
  EXPECT_THROW(pool.install([]() -> int { throw std::invalid_argument("x"); }), std::invalid_argument);
  EXPECT_EQ(pool.install([] { return fib_par(22, 10); }), fib_seq(22));
  auto [a, b] = pool.join([] { return 1; }, [] { return 2; });
  EXPECT_EQ(a + b, 3);
}

TEST(ParallelPool, InstallFromInsideAnotherPoolWorks) {
  ParallelPool outer(2);
  ParallelPool inner(2);
  uint64_t r = outer.install([&] {
    auto [x, y] = join([&] { return inner.install([] { return fib_par(20, 8); }); },
                       [&] { return inner.install([] { return fib_par(19, 8); }); });
    return x + y;
  });
  EXPECT_EQ(r, fib_seq(21));
}

TEST(ParallelPool, SingleThreadPoolRunsNestedJoins) {
  ParallelPool pool(1);
  EXPECT_EQ(pool.install([] { return fib_par(22, 4); }), fib_seq(22));
}

TEST(ParallelPool, CreatingAndDroppingPoolsLeavesNothingBehind) {
  for (int i = 0; i < 20; ++i) {
    ParallelPool pool(1 + i % 3);
    EXPECT_EQ(pool.install([] { return fib_par(15, 5); }), fib_seq(15));
  }
  ParallelPool a(2);
  ParallelPool b(std::move(a));
  EXPECT_EQ(b.install([] { return 3; }), 3);
  a = ParallelPool(1);
  EXPECT_EQ(a.install([] { return 4; }), 4);
}

TEST(ParallelPool, BuildGlobalFailsOnceTheGlobalPoolRuns) {
  EXPECT_GE(current_num_threads(), 1u);  // Starts the global pool.
  auto r = ParallelPoolBuilder().num_threads(2).build_global();
  ASSERT_TRUE(r.is_err());
  EXPECT_STREQ(r.error().what(), "the global thread pool has already been initialized");
}

// A branch of a join waits for a message that the calling thread sends
// only after the join: the branch waits in recv (on main, which runs `a`
// itself, or on a worker while main waits for it), the idle workers count as
// blocked since main waits for the pool; the detector reports it instead of
// hanging.
void branch_waits_for_the_caller() {
  auto [tx, rx] = channel<int>();
  join([&] { (void)rx.recv(); }, [] {});
  tx.send(1).unwrap();
}

TEST(JoinDeathTest, BranchWaitingForTheCallerIsReportedAsADeadlock) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  setenv("RACELINGS_DEADLOCK_GRACE_MS", "100", 1);
  EXPECT_EXIT(branch_waits_for_the_caller(), ::testing::ExitedWithCode(66),
              "deadlock \\(all threads are blocked\\)(.|\n)*waits to receive on an empty channel");
}

}  // namespace
}  // namespace racelings
