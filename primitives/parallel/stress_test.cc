// Stress tests of the scheduler and ThreadPool. Loop counts scale with
// RACELINGS_STRESS_SCALE and shrink under sanitizers and schedule stress
// (test_util.h). A lost wakeup shows as a hang, which the deadlock detector
// turns into an "all threads are blocked" report (the caller waits with no
// timeout, and so do sleeping workers).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include "primitives/parallel/parallel.h"
#include "primitives/parallel/thread_pool.h"
#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using testing_util::scaled;

// A random binary tree of joins; returns the number of leaves, counting
// them also in `leaves` to check that every leaf ran exactly once.
uint64_t random_tree(uint64_t seed, int depth, std::atomic<uint64_t>& leaves) {
  seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  if (depth == 0 || (seed >> 60) == 0) {
    leaves.fetch_add(1, std::memory_order_relaxed);
    return 1;
  }
  auto [a, b] = join([&] { return random_tree(seed ^ 0x1234, depth - 1, leaves); },
                     [&] { return random_tree(seed ^ 0x9876, depth - 1, leaves); });
  return a + b;
}

TEST(Stress, RandomJoinTreesRunEveryLeafOnce) {
  const size_t rounds = scaled(300, 10);
  for (size_t r = 0; r < rounds; ++r) {
    std::atomic<uint64_t> leaves{0};
    uint64_t counted = random_tree(r, 12, leaves);
    ASSERT_EQ(counted, leaves.load());
  }
}

TEST(Stress, ManyOutsideThreadsShareTheGlobalPool) {
  const size_t rounds = scaled(400, 10);
  std::vector<JoinHandle<bool>> hs;
  for (int t = 0; t < 4; ++t) {
    hs.push_back(spawn([rounds, t] {
      std::mt19937 rng(static_cast<uint32_t>(t));
      for (size_t r = 0; r < rounds; ++r) {
        std::vector<int64_t> v(rng() % 5000);
        for (auto& x : v) x = static_cast<int64_t>(rng() % 100);
        if (par_sum(v) != std::accumulate(v.begin(), v.end(), int64_t{0})) return false;
        auto doubled = par_map(v, [](int64_t x) { return 2 * x; });
        for (size_t i = 0; i < v.size(); ++i) {
          if (doubled[i] != 2 * v[i]) return false;
        }
      }
      return true;
    }));
  }
  for (auto& h : hs) EXPECT_TRUE(h.join());
}

// Workers fall asleep between operations; each operation must wake them.
TEST(Stress, OperationsSeparatedByPausesAlwaysWakeTheWorkers) {
  const size_t rounds = scaled(300, 20);
  std::mt19937 rng(7);
  std::vector<int> v(1000, 1);
  for (size_t r = 0; r < rounds; ++r) {
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 300));
    ASSERT_EQ(par_sum(v), 1000);
    auto [a, b] = join([] { return 1; }, [] { return 2; });
    ASSERT_EQ(a + b, 3);
  }
}

TEST(Stress, PoolsComeAndGoUnderLoad) {
  const size_t rounds = scaled(60, 4);
  for (size_t r = 0; r < rounds; ++r) {
    ParallelPool pool(1 + r % 4);
    std::atomic<uint64_t> leaves{0};
    uint64_t counted = pool.install([&] { return random_tree(r, 10, leaves); });
    ASSERT_EQ(counted, leaves.load());
  }
}

TEST(Stress, ThreadPoolWithManyProducersAndJoiners) {
  const size_t per_producer = scaled(20000, 200);
  ThreadPool pool(3);
  std::atomic<uint64_t> sum{0};
  std::vector<JoinHandle<void>> producers;
  for (int p = 0; p < 3; ++p) {
    producers.push_back(spawn([&, p] {
      for (size_t i = 0; i < per_producer; ++i) {
        pool.execute([&sum, p] { sum.fetch_add(static_cast<uint64_t>(p + 1), std::memory_order_relaxed); });
        if (i % 1000 == 0) pool.join();
      }
    }));
  }
  for (auto& p : producers) p.join();
  pool.join();
  EXPECT_EQ(sum.load(), per_producer * (1 + 2 + 3));
  EXPECT_EQ(pool.queued_count(), 0u);
  EXPECT_EQ(pool.active_count(), 0u);
}

TEST(Stress, ThreadPoolTasksUseTheParallelScheduler) {
  const size_t tasks = scaled(200, 8);
  ThreadPool pool(2);
  std::atomic<size_t> good{0};
  for (size_t t = 0; t < tasks; ++t) {
    pool.execute([&good, t] {
      std::vector<uint64_t> v(100 + t % 300);
      std::iota(v.begin(), v.end(), uint64_t{1});
      uint64_t n = v.size();
      if (par_sum(v) == n * (n + 1) / 2) good.fetch_add(1);
    });
  }
  pool.join();
  EXPECT_EQ(good.load(), tasks);
  EXPECT_EQ(pool.panic_count(), 0u);
}

TEST(Stress, ExceptionsUnderLoadNeverLoseWork) {
  const size_t rounds = scaled(200, 10);
  std::vector<int> v(2000);
  std::iota(v.begin(), v.end(), 0);
  for (size_t r = 0; r < rounds; ++r) {
    std::atomic<int> visited{0};
    const int bad = static_cast<int>((r * 7919) % v.size());
    try {
      par_for_each(v, [&](int x) {
        visited.fetch_add(1, std::memory_order_relaxed);
        if (x == bad) throw std::runtime_error("bad");
      });
      FAIL() << "no exception";
    } catch (const std::runtime_error&) {
    }
    // Every piece that started finished before the exception came back:
    // nothing may still be running and touching `visited` now.
    int seen = visited.load();
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    ASSERT_EQ(visited.load(), seen);
  }
}

}  // namespace
}  // namespace racelings
