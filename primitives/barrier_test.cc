// Tests for barrier.h: Barrier and BarrierWaitResult.

#include "primitives/barrier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <vector>

#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using testing_util::stress_iterations;

TEST(Barrier, ExactlyOneLeaderPerRoundOverManyRounds) {
  const int threads = 4;
  const int rounds = stress_iterations(500);
  Barrier barrier(threads);
  std::vector<std::atomic<int>> leaders(static_cast<size_t>(rounds));
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < threads; ++t) {
    hs.push_back(spawn([&] {
      for (int r = 0; r < rounds; ++r) {
        if (barrier.wait().is_leader()) leaders[static_cast<size_t>(r)].fetch_add(1, std::memory_order_relaxed);
      }
    }));
  }
  for (auto& h : hs) h.join();
  int wrong_rounds = 0;
  for (auto& l : leaders) wrong_rounds += l.load() != 1;
  EXPECT_EQ(wrong_rounds, 0);
}

TEST(Barrier, NoThreadLeavesARoundBeforeAllArrived) {
  const int threads = 3;
  const int rounds = stress_iterations(300);
  Barrier barrier(threads);
  std::atomic<int> arrivals{0};
  std::atomic<int> early{0};
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < threads; ++t) {
    hs.push_back(spawn([&] {
      for (int r = 0; r < rounds; ++r) {
        arrivals.fetch_add(1);
        barrier.wait();
        // Everyone of this round has arrived by now.
        if (arrivals.load() < (r + 1) * threads) early.fetch_add(1);
        barrier.wait();  // Keep the next round's arrivals out of this check.
      }
    }));
  }
  for (auto& h : hs) h.join();
  EXPECT_EQ(early.load(), 0);
}

TEST(Barrier, WritesBeforeWaitAreVisibleToAllAfterIt) {
  const int threads = 4;
  Barrier barrier(threads);
  std::vector<int> slots(threads, 0);  // Plain ints: the barrier orders them.
  std::vector<JoinHandle<int>> hs;
  for (int t = 0; t < threads; ++t) {
    hs.push_back(spawn([&, t] {
      slots[static_cast<size_t>(t)] = t + 1;
      barrier.wait();
      int sum = 0;
      for (int v : slots) sum += v;
      return sum;
    }));
  }
  for (auto& h : hs) EXPECT_EQ(h.join(), 1 + 2 + 3 + 4);
}

TEST(Barrier, ABarrierForOneOrZeroThreadsNeverBlocksAndAlwaysLeads) {
  Barrier one(1);
  Barrier zero(0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(one.wait().is_leader());
    EXPECT_TRUE(zero.wait().is_leader());
  }
}

TEST(Barrier, MainThreadCanBeOneOfTheParties) {
  auto barrier = std::make_shared<Barrier>(2);
  auto other = spawn([barrier] { return barrier->wait().is_leader(); });
  bool main_leads = barrier->wait().is_leader();
  EXPECT_NE(main_leads, other.join());
}

}  // namespace
}  // namespace racelings
