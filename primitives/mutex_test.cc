// Tests for mutex.h: Mutex<T>, MutexGuard<T>, PoisonError<G>.

#include "primitives/mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using testing_util::Counted;
using testing_util::stress_iterations;

// Whether another thread could take the mutex right now.
template <typename T>
bool free_for_another_thread(Mutex<T>& m) {
  return spawn([&] { return m.try_lock().has_value(); }).join();
}

TEST(Mutex, LockGivesTheDataAndChangesStay) {
  Mutex<std::vector<int>> m(std::vector<int>{1, 2});
  {
    auto g = m.lock();
    g->push_back(3);
    (*g)[0] = 10;
  }
  auto g = m.lock();
  EXPECT_EQ(*g, (std::vector<int>{10, 2, 3}));
}

TEST(Mutex, DefaultConstructedMutexHoldsADefaultValue) {
  Mutex<int> m;
  EXPECT_EQ(*m.lock(), 0);
}

TEST(Mutex, TryLockReturnsNulloptWhileAnotherThreadHoldsIt) {
  Mutex<int> m(5);
  auto g = m.lock();
  EXPECT_FALSE(free_for_another_thread(m));
  g.unlock();
  EXPECT_TRUE(free_for_another_thread(m));
  auto t = m.try_lock();
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(**t, 5);
}

TEST(Mutex, AMovedGuardKeepsTheLockAndTheSourceIsEmpty) {
  Mutex<int> m(1);
  {
    // For the analysis `a` holds the lock until its scope ends.
    auto a = m.lock();
    MutexGuard<int> b = std::move(a);
    EXPECT_FALSE(a.owns_lock());
    EXPECT_TRUE(b.owns_lock());
    *b = 2;
    EXPECT_FALSE(free_for_another_thread(m));
    b.unlock();
    EXPECT_FALSE(b.owns_lock());
    EXPECT_TRUE(free_for_another_thread(m));
  }
  EXPECT_EQ(*m.lock(), 2);
}

TEST(Mutex, MoveAssigningAGuardReleasesTheLockItHeld) {
  Mutex<int> first(1), second(2);
  auto g = first.lock();
  g = second.lock();
  EXPECT_TRUE(free_for_another_thread(first));
  EXPECT_FALSE(free_for_another_thread(second));
  EXPECT_EQ(*g, 2);
}

// A second unlock of an empty guard does nothing; the thread safety analysis
// rightly rejects it ("releasing a mutex that was not held").
void unlock_again(MutexGuard<int>& g) NO_THREAD_SAFETY_ANALYSIS { g.unlock(); }

TEST(Mutex, UnlockReleasesBeforeTheEndOfTheScope) {
  Mutex<int> m(0);
  auto g = m.lock();
  *g = 1;
  g.unlock();
  EXPECT_FALSE(g.owns_lock());
  EXPECT_EQ(spawn([&] { return *m.lock(); }).join(), 1);
  unlock_again(g);
}

TEST(Mutex, AGuardDestroyedDuringUnwindingPoisonsTheMutex) {
  Mutex<int> m(0, "poisoned");
  auto r = spawn([&] {
             auto g = m.lock();
             *g = 1;
             throw std::runtime_error("failed halfway");
           }).join_result();
  ASSERT_TRUE(r.is_err());
  EXPECT_TRUE(m.is_poisoned());
  try {
    auto g = m.lock();
    FAIL() << "lock() of a poisoned mutex should throw";
  } catch (PoisonError<MutexGuard<int>>& e) {
    EXPECT_STREQ(e.what(), "poisoned lock: another task failed inside");
    MutexGuard<int> g = std::move(e).into_inner();
    EXPECT_TRUE(g.owns_lock());
    EXPECT_EQ(*g, 1);  // The half-updated data is still reachable.
    *g = 0;            // Repair it.
  }
  // The guard from the error was released: the lock is free again.
  EXPECT_TRUE(m.is_poisoned());
  EXPECT_THROW((void)m.try_lock(), PoisonError<MutexGuard<int>>);
  m.clear_poison();
  EXPECT_FALSE(m.is_poisoned());
  EXPECT_EQ(*m.lock(), 0);
}

TEST(Mutex, AnExceptionCaughtInsideTheGuardsScopeDoesNotPoison) {
  Mutex<int> m(0);
  {
    auto g = m.lock();
    try {
      throw std::runtime_error("handled");
    } catch (const std::runtime_error&) {
      *g = 1;
    }
  }
  EXPECT_FALSE(m.is_poisoned());
}

TEST(Mutex, AGuardTakenAndReleasedInsideADestructorDuringUnwindingDoesNotPoison) {
  Mutex<int> m(0);
  struct LocksInDestructor {
    Mutex<int>& m;
    ~LocksInDestructor() { *m.lock() += 1; }
  };
  try {
    LocksInDestructor d{m};
    throw std::runtime_error("unwinding");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(m.is_poisoned());
  EXPECT_EQ(*m.lock(), 1);
}

TEST(Mutex, IntoInnerGivesTheDataBack) {
  Mutex<std::string> m(std::string("payload"));
  EXPECT_EQ(std::move(m).into_inner(), "payload");
}

TEST(Mutex, IntoInnerOfAPoisonedMutexThrowsWithTheData) {
  Mutex<std::string> m(std::string("half"));
  try {
    auto g = m.lock();
    throw std::runtime_error("x");
  } catch (const std::runtime_error&) {
  }
  ASSERT_TRUE(m.is_poisoned());
  try {
    (void)std::move(m).into_inner();
    FAIL() << "into_inner() of a poisoned mutex should throw";
  } catch (PoisonError<std::string>& e) {
    EXPECT_EQ(std::move(e).into_inner(), "half");
  }
}

TEST(Mutex, DataIsNeitherLeakedNorDestroyedTwice) {
  Counted::reset();
  {
    Mutex<Counted> m(Counted(1));
    {
      *m.lock() = Counted(2);
    }
    Counted out = std::move(m).into_inner();
    EXPECT_EQ(out.value(), 2);
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST(Mutex, ConcurrentIncrementsAreNeverLost) {
  const int threads = 4;
  const int each = stress_iterations(20000);
  Mutex<long> counter(0, "counter");
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < threads; ++t) {
    hs.push_back(spawn([&] {
      for (int i = 0; i < each; ++i) *counter.lock() += 1;
    }));
  }
  for (auto& h : hs) h.join();
  EXPECT_EQ(*counter.lock(), static_cast<long>(threads) * each);
}

TEST(Mutex, TryLockUnderContentionSucceedsSometimesAndNeverBreaksExclusion) {
  const int each = stress_iterations(5000);
  Mutex<int> m(0);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> successes{0};
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < 3; ++t) {
    hs.push_back(spawn([&] {
      for (int i = 0; i < each; ++i) {
        if (auto g = m.try_lock()) {
          if (inside.fetch_add(1, std::memory_order_relaxed) != 0) overlaps.fetch_add(1);
          **g += 1;
          inside.fetch_sub(1, std::memory_order_relaxed);
          successes.fetch_add(1, std::memory_order_relaxed);
        }
      }
    }));
  }
  for (auto& h : hs) h.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GT(successes.load(), 0);
  EXPECT_EQ(*m.lock(), successes.load());
}

}  // namespace
}  // namespace racelings
