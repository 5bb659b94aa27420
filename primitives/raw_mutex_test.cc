// Tests for raw_mutex.h: RawMutex and LockGuard, with the thread safety
// annotations they carry.

#include "primitives/raw_mutex.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "primitives/test_util.h"
#include "primitives/thread.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace {

using testing_util::stress_iterations;

// The header's example: data beside its lock, checked by -Wthread-safety.
class Account {
 public:
  void deposit(int amount) EXCLUDES(mu_) {
    LockGuard guard(mu_);
    balance_ += amount;
  }
  int balance() EXCLUDES(mu_) {
    LockGuard guard(mu_);
    return balance_;
  }
  RawMutex& mu() RETURN_CAPABILITY(mu_) { return mu_; }

 private:
  RawMutex mu_{"account"};
  int balance_ GUARDED_BY(mu_) = 0;
};

TEST(RawMutex, LockGuardMakesConcurrentDepositsSafe) {
  Account account;
  const int each = stress_iterations(20000);
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < 4; ++t) {
    hs.push_back(spawn([&] {
      for (int i = 0; i < each; ++i) account.deposit(1);
    }));
  }
  for (auto& h : hs) h.join();
  EXPECT_EQ(account.balance(), 4 * each);
}

TEST(RawMutex, TryLockFailsWhileAnotherThreadHoldsIt) {
  RawMutex mu("held");
  mu.lock();
  bool other_got_it = spawn([&] {
                        bool got = mu.try_lock();
                        if (got) mu.unlock();
                        return got;
                      }).join();
  EXPECT_FALSE(other_got_it);
  mu.unlock();
  bool got = mu.try_lock();
  EXPECT_TRUE(got);
  if (got) mu.unlock();
}

TEST(RawMutex, ManualLockAndUnlockPairUp) {
  Account account;
  account.mu().lock();
  account.mu().unlock();
  account.deposit(3);
  EXPECT_EQ(account.balance(), 3);
}

TEST(RawMutex, ANamedMutexDescribesItselfByName) {
  RawMutex named("ledger");
  EXPECT_NE(named.info().describe().find("'ledger'"), std::string::npos);
  EXPECT_EQ(named.info().describe().rfind("Mutex M", 0), 0u);
}

TEST(RawMutex, AnUnnamedMutexDescribesWhereItWasCreated) {
  RawMutex unnamed;
  EXPECT_NE(unnamed.info().describe().find("'created at raw_mutex_test.cc:"), std::string::npos)
      << unnamed.info().describe();
}

TEST(RawMutex, EveryMutexGetsItsOwnId) {
  RawMutex a, b;
  EXPECT_NE(a.info().id(), b.info().id());
}

// The misuse paths, triggered for real (not by calling the report function).

// Locks `m` and leaves it locked; hidden from -Wthread-safety, which would
// (rightly) reject the misuse below at compile time.
void lock_and_keep(RawMutex& m) NO_THREAD_SAFETY_ANALYSIS { m.lock(); }

TEST(RawMutex, UnlockByAThreadThatDoesNotHoldItIsReportedAsMisuse) {
  // Under TSan the mutex is a pthread mutex, which TSan itself reports when
  // another thread unlocks it; racelings_logs_test covers that build.
  if (testing_util::kUnderTsan) GTEST_SKIP() << "TSan reports the foreign unlock of its pthread mutex";
  testing_util::ReportCapture capture;
  RawMutex queue("queue");
  int line = 0;
  // The owner is a thread of its own, so that no record of the lock it
  // never released stays with the test's main thread (a later test's lock
  // order would read it after `queue` is gone).
  Builder()
      .name("owner")
      .spawn([&] {
        lock_and_keep(queue);
        Builder()
            .name("stranger")
            .spawn([&]() NO_THREAD_SAFETY_ANALYSIS {
              line = __LINE__ + 1;
              queue.unlock();
            })
            .join();
      })
      .join();
  const std::string text = capture.text();
  EXPECT_EQ(capture.reports().size(), 1u) << text;
  EXPECT_TRUE(
      testing_util::contains(text, "WARNING: racelings: mutex misuse (unlock of a lock this thread does not hold)"))
      << text;
  EXPECT_TRUE(testing_util::contains(text, "Mutex M")) << text;
  EXPECT_TRUE(testing_util::contains(text, "'queue'")) << text;
  EXPECT_TRUE(testing_util::contains(text, "'stranger'")) << text;
  EXPECT_TRUE(testing_util::contains(text, "raw_mutex_test.cc:" + std::to_string(line) + ":")) << text;
}

TEST(RawMutex, DestroyingALockedMutexIsReportedAsMisuse) {
  testing_util::ReportCapture capture;
  // In a thread of its own, so that no record of the lost lock stays with
  // the test's main thread.
  Builder()
      .name("destroyer")
      .spawn([]() NO_THREAD_SAFETY_ANALYSIS {
        auto cache = std::make_unique<RawMutex>("cache");
        cache->lock();
        cache.reset();
      })
      .join();
  const std::string text = capture.text();
  EXPECT_EQ(capture.reports().size(), 1u) << text;
  EXPECT_TRUE(testing_util::contains(text, "WARNING: racelings: mutex misuse (destroy of a locked mutex)")) << text;
  EXPECT_TRUE(testing_util::contains(text, "'cache'")) << text;
  EXPECT_TRUE(testing_util::contains(text, "'destroyer'")) << text;
}

TEST(RawMutex, AMutexUnlockedByItsHolderIsNoMisuse) {
  testing_util::ReportCapture capture;
  {
    RawMutex m("fine");
    m.lock();
    m.unlock();
  }
  EXPECT_EQ(capture.text(), "");
}

}  // namespace
}  // namespace racelings
