// Tests of the Chase-Lev deque (deque.h): its sequential semantics, and under
// concurrency, that every pushed item is taken exactly once.

#include "primitives/parallel/deque.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using internal::WorkStealingDeque;
using Steal = internal::StealResult;

TEST(WorkStealingDeque, OwnerPopsNewestFirstAndThievesStealOldestFirst) {
  WorkStealingDeque<int> d;
  int items[4] = {0, 1, 2, 3};
  for (int& i : items) ASSERT_TRUE(d.push(&i));
  EXPECT_EQ(d.size_hint(), 4);
  EXPECT_EQ(d.pop(), &items[3]);
  int* stolen = nullptr;
  ASSERT_EQ(d.steal(&stolen), Steal::kSuccess);
  EXPECT_EQ(stolen, &items[0]);
  EXPECT_EQ(d.pop(), &items[2]);
  EXPECT_EQ(d.pop(), &items[1]);
  EXPECT_EQ(d.pop(), nullptr);
  EXPECT_EQ(d.steal(&stolen), Steal::kEmpty);
  EXPECT_FALSE(d.maybe_nonempty());
}

TEST(WorkStealingDeque, EmptyPopLeavesTheDequeUsable) {
  WorkStealingDeque<int> d;
  EXPECT_EQ(d.pop(), nullptr);
  EXPECT_EQ(d.pop(), nullptr);
  int x = 7;
  ASSERT_TRUE(d.push(&x));
  EXPECT_TRUE(d.maybe_nonempty());
  EXPECT_EQ(d.pop(), &x);
}

TEST(WorkStealingDeque, PushFailsWhenFullAndWorksAgainAfterATake) {
  WorkStealingDeque<int, 8> d;
  int items[9] = {};
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(d.push(&items[i]));
  EXPECT_FALSE(d.push(&items[8]));
  int* stolen = nullptr;
  ASSERT_EQ(d.steal(&stolen), Steal::kSuccess);
  EXPECT_EQ(stolen, &items[0]);
  EXPECT_TRUE(d.push(&items[8]));  // Wraps around into the freed slot.
  for (int i = 8; i >= 1; --i) EXPECT_EQ(d.pop(), &items[i]);
  EXPECT_EQ(d.pop(), nullptr);
}

TEST(WorkStealingDeque, RingWrapsAroundManyTimes) {
  WorkStealingDeque<int, 4> d;
  int items[3] = {};
  for (int round = 0; round < 1000; ++round) {
    for (int& i : items) ASSERT_TRUE(d.push(&i));
    int* s = nullptr;
    ASSERT_EQ(d.steal(&s), Steal::kSuccess);
    EXPECT_EQ(s, &items[0]);
    EXPECT_EQ(d.pop(), &items[2]);
    EXPECT_EQ(d.pop(), &items[1]);
  }
}

// One owner pushes and pops, thieves steal: every item is taken once, by
// exactly one thread, and no taken pointer is stale.
TEST(WorkStealingDeque, EveryItemIsTakenExactlyOnceUnderConcurrentSteals) {
  const size_t n = testing_util::scaled(200000, 2000);
  std::vector<int> items(n);
  std::vector<std::atomic<int>> taken(n);
  for (auto& t : taken) t.store(0, std::memory_order_relaxed);
  WorkStealingDeque<int, 64> d;
  std::atomic<bool> done{false};

  auto take = [&](int* p) { taken[static_cast<size_t>(p - items.data())].fetch_add(1, std::memory_order_relaxed); };
  std::vector<JoinHandle<void>> thieves;
  for (int t = 0; t < 3; ++t) {
    thieves.push_back(spawn([&] {
      // Acquire: pairs with the owner's release store of `done`.
      while (!done.load(std::memory_order_acquire)) {
        int* p = nullptr;
        if (d.steal(&p) == Steal::kSuccess) take(p);
      }
      int* p = nullptr;
      for (;;) {
        Steal s = d.steal(&p);
        if (s == Steal::kEmpty) break;
        if (s == Steal::kSuccess) take(p);
      }
    }));
  }
  size_t next = 0;
  uint64_t rng = 12345;
  while (next < n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    // Push a few, pop a few: the owner and thieves meet at the last item often.
    size_t pushes = 1 + rng % 4;
    for (size_t k = 0; k < pushes && next < n; ++k) {
      if (d.push(&items[next])) {
        ++next;
      } else {
        take(&items[next++]);  // Full: the owner runs it itself.
      }
    }
    size_t pops = rng % 4;
    for (size_t k = 0; k < pops; ++k) {
      if (int* p = d.pop()) take(p);
    }
  }
  while (int* p = d.pop()) take(p);
  // Release: the thieves' last sweep must see every push.
  done.store(true, std::memory_order_release);
  for (auto& t : thieves) t.join();
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(taken[i].load(std::memory_order_relaxed), 1) << "item " << i;
}

}  // namespace
}  // namespace racelings
