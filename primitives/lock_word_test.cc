// Tests for lock_word.h: mutual exclusion under contention, with critical
// sections long enough that waiters sleep on the word (the futex path), and
// the hand-over of a lock taken while the process had a single thread (no
// atomic instructions) to a thread started while it is held.

#include "primitives/lock_word.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "primitives/test_util.h"

namespace racelings {
namespace {

using testing_util::stress_iterations;

TEST(LockWord, ManyThreadsNeverHoldItAtOnce) {
  internal::LockWord word;
  long counter = 0;  // Plain: only ever touched under the word.
  std::atomic<int> inside{0};
  const int each = stress_iterations(20000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) {
        word.lock();
        EXPECT_EQ(inside.fetch_add(1, std::memory_order_relaxed), 0);
        ++counter;
        // Now and then a long critical section: the others must sleep.
        if ((i + t) % 1000 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        inside.fetch_sub(1, std::memory_order_relaxed);
        word.unlock();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, 4L * each);
}

TEST(LockWord, TryLockFailsWhileHeldAndSucceedsAfter) {
  internal::LockWord word;
  ASSERT_TRUE(word.try_lock());
  std::thread([&] { EXPECT_FALSE(word.try_lock()); }).join();
  word.unlock();
  std::thread([&] {
    EXPECT_TRUE(word.try_lock());
    word.unlock();
  }).join();
}

}  // namespace
}  // namespace racelings
