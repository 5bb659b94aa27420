// Tests for rwlock.h: RwLock<T>, ReadGuard<T>, WriteGuard<T>.

#include "primitives/rwlock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using testing_util::Counted;
using testing_util::stress_iterations;

template <typename T>
bool readable_by_another_thread(RwLock<T>& l) {
  return spawn([&] { return l.try_read().has_value(); }).join();
}
template <typename T>
bool writable_by_another_thread(RwLock<T>& l) {
  return spawn([&] { return l.try_write().has_value(); }).join();
}

TEST(RwLock, ReadersHoldTheLockAtTheSameTime) {
  // Each reader waits at a barrier while it holds its read guard: the
  // barrier only opens if all of them hold the lock at once. If readers
  // excluded each other this would deadlock (and the detector would say so).
  const int readers = 4;
  RwLock<int> lock(7, "shared");
  Barrier all_inside(readers);
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < readers; ++i) {
    hs.push_back(spawn([&] {
      auto r = lock.read();
      int now = inside.fetch_add(1) + 1;
      int seen = most_inside.load();
      while (now > seen && !most_inside.compare_exchange_weak(seen, now)) {
      }
      all_inside.wait();
      inside.fetch_sub(1);
      return *r;
    }));
  }
  for (auto& h : hs) EXPECT_EQ(h.join(), 7);
  EXPECT_EQ(most_inside.load(), readers);
}

TEST(RwLock, AWriterExcludesReadersAndWriters) {
  RwLock<int> lock(0);
  auto w = lock.write();
  *w = 1;
  EXPECT_FALSE(readable_by_another_thread(lock));
  EXPECT_FALSE(writable_by_another_thread(lock));
  w.unlock();
  EXPECT_TRUE(readable_by_another_thread(lock));
  EXPECT_TRUE(writable_by_another_thread(lock));
  EXPECT_EQ(*lock.read(), 1);
}

TEST(RwLock, AReaderExcludesWritersButNotReaders) {
  RwLock<int> lock(3);
  auto r = lock.read();
  EXPECT_TRUE(readable_by_another_thread(lock));
  EXPECT_FALSE(writable_by_another_thread(lock));
  r.unlock();
  EXPECT_TRUE(writable_by_another_thread(lock));
}

TEST(RwLock, TryReadAndTryWriteSucceedOnAFreeLock) {
  RwLock<std::string> lock(std::string("x"));
  {
    auto r = lock.try_read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(**r, "x");
  }
  {
    auto w = lock.try_write();
    ASSERT_TRUE(w.has_value());
    **w = "y";
  }
  EXPECT_EQ(*lock.read(), "y");
}

TEST(RwLock, AWriterBlockedByReadersGetsInWhenTheyLeave) {
  RwLock<int> lock(0);
  auto r = lock.read();
  std::atomic<bool> written{false};
  auto writer = Builder().name("writer").spawn([&] {
    *lock.write() = 5;
    written.store(true);
  });
  ASSERT_TRUE(testing_util::eventually_blocked("writer", detector::WaitKind::kLock)) << "the writer never waited";
  EXPECT_FALSE(written.load());
  r.unlock();
  writer.join();
  EXPECT_TRUE(written.load());
  EXPECT_EQ(*lock.read(), 5);
}

TEST(RwLock, MovedGuardsKeepTheirAccess) {
  RwLock<int> lock(1);
  {
    // For the analysis `w` holds the lock until its scope ends.
    auto w = lock.write();
    WriteGuard<int> w2 = std::move(w);
    *w2 = 2;
    EXPECT_FALSE(readable_by_another_thread(lock));
    w2.unlock();
  }
  auto r = lock.read();
  ReadGuard<int> r2 = std::move(r);
  EXPECT_EQ(*r2, 2);
  EXPECT_FALSE(writable_by_another_thread(lock));
}

TEST(RwLock, AWriterThatThrowsPoisonsTheLock) {
  RwLock<std::vector<int>> lock(std::vector<int>{1});
  auto r = spawn([&] {
             auto w = lock.write();
             w->push_back(2);
             throw std::runtime_error("writer failed");
           }).join_result();
  ASSERT_TRUE(r.is_err());
  EXPECT_TRUE(lock.is_poisoned());
  try {
    auto g = lock.read();
    FAIL() << "read() of a poisoned lock should throw";
  } catch (PoisonError<ReadGuard<std::vector<int>>>& e) {
    ReadGuard<std::vector<int>> g = std::move(e).into_inner();
    EXPECT_EQ(g->size(), 2u);
  }
  EXPECT_THROW((void)lock.write(), PoisonError<WriteGuard<std::vector<int>>>);
  EXPECT_THROW((void)lock.try_read(), PoisonError<ReadGuard<std::vector<int>>>);
  EXPECT_THROW((void)lock.try_write(), PoisonError<WriteGuard<std::vector<int>>>);
  lock.clear_poison();
  EXPECT_FALSE(lock.is_poisoned());
  EXPECT_EQ(lock.read()->size(), 2u);
}

TEST(RwLock, AReaderThatThrowsDoesNotPoison) {
  RwLock<int> lock(0);
  try {
    auto r = lock.read();
    throw std::runtime_error("reader failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(lock.is_poisoned());
}

TEST(RwLock, IntoInnerGivesTheDataBackOrThrowsWhenPoisoned) {
  RwLock<std::string> fine(std::string("ok"));
  EXPECT_EQ(std::move(fine).into_inner(), "ok");
  RwLock<std::string> bad(std::string("half"));
  try {
    auto w = bad.write();
    throw std::runtime_error("x");
  } catch (const std::runtime_error&) {
  }
  try {
    (void)std::move(bad).into_inner();
    FAIL() << "into_inner() of a poisoned lock should throw";
  } catch (PoisonError<std::string>& e) {
    EXPECT_EQ(std::move(e).into_inner(), "half");
  }
}

// Allowed, though the thread safety analysis rejects a second acquisition of
// a lock already held.
int sum_of_two_reads(RwLock<int>& lock) NO_THREAD_SAFETY_ANALYSIS {
  auto a = lock.read();
  auto b = lock.read();
  return *a + *b;
}

TEST(RwLock, RecursiveReadsByOneThreadAreAllowed) {
  RwLock<int> lock(4);
  EXPECT_EQ(sum_of_two_reads(lock), 8);
}

TEST(RwLock, DataIsNeitherLeakedNorDestroyedTwice) {
  Counted::reset();
  {
    RwLock<Counted> lock(Counted(1));
    *lock.write() = Counted(2);
    EXPECT_EQ(lock.read()->value(), 2);
    EXPECT_EQ(std::move(lock).into_inner().value(), 2);
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST(RwLock, ReadersNeverSeeAHalfDoneWrite) {
  // Writers keep both fields equal; a reader that saw them differ would
  // have read in the middle of a write.
  struct Pair {
    long a = 0, b = 0;
  };
  const int each = stress_iterations(5000);
  RwLock<Pair> lock(Pair{}, "pair");
  std::atomic<int> torn{0};
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < 2; ++t) {
    hs.push_back(spawn([&] {
      for (int i = 0; i < each; ++i) {
        auto w = lock.write();
        w->a += 1;
        w->b += 1;
      }
    }));
  }
  for (int t = 0; t < 2; ++t) {
    hs.push_back(spawn([&] {
      for (int i = 0; i < each; ++i) {
        auto r = lock.read();
        if (r->a != r->b) torn.fetch_add(1);
      }
    }));
  }
  for (auto& h : hs) h.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(lock.read()->a, 2L * each);
}

}  // namespace
}  // namespace racelings
