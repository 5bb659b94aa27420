// Tests for condvar.h: Condvar wait, wait_while, wait_for, wait_timeout_while,
// notify_one, notify_all.

#include "primitives/condvar.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using namespace std::chrono_literals;
using detector::WaitKind;
using testing_util::eventually_blocked;
using testing_util::kMainThread;
using testing_util::stress_iterations;

TEST(Condvar, WaitInALoopSeesTheChangeAnnouncedByNotifyOne) {
  Mutex<bool> ready(false);
  Condvar cv;
  auto setter = spawn([&] {
    // Only once main waits: a notify before the wait would prove nothing.
    EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kOther)) << "main never waited on the condvar";
    *ready.lock() = true;
    cv.notify_one();
  });
  auto g = ready.lock();
  while (!*g) cv.wait(g);
  EXPECT_TRUE(*g);
  EXPECT_TRUE(g.owns_lock());
  g.unlock();
  setter.join();
}

TEST(Condvar, WaitWhileReturnsOnceTheConditionIsFalse) {
  Mutex<int> count(0);
  Condvar cv;
  auto producer = spawn([&] {
    for (int i = 0; i < 5; ++i) {
      *count.lock() += 1;
      cv.notify_one();
    }
  });
  auto g = count.lock();
  cv.wait_while(g, [](int& c) { return c < 5; });
  EXPECT_EQ(*g, 5);
  g.unlock();
  producer.join();
}

TEST(Condvar, WaitWhileDoesNotWaitWhenTheConditionIsAlreadyFalse) {
  Mutex<int> m(1);
  Condvar cv;
  auto g = m.lock();
  cv.wait_while(g, [](int& v) { return v == 0; });
  EXPECT_EQ(*g, 1);
}

TEST(Condvar, WaitForTimesOutWhenNobodyNotifiesAndHoldsTheLockAgain) {
  Mutex<int> m(0);
  Condvar cv;
  auto g = m.lock();
  auto start = std::chrono::steady_clock::now();
  WaitTimeoutResult r = cv.wait_for(g, 50ms);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r.timed_out());
  EXPECT_GE(waited, 45ms);
  EXPECT_TRUE(g.owns_lock());
  *g = 1;  // Still ours.
  g.unlock();
  EXPECT_EQ(spawn([&] { return *m.lock(); }).join(), 1);
}

TEST(Condvar, WaitTimeoutIsWaitForByItsRustName) {
  Mutex<int> m(0);
  Condvar cv;
  auto g = m.lock();
  EXPECT_TRUE(cv.wait_timeout(g, 5ms).timed_out());
}

TEST(Condvar, WaitForReturnsWithoutTimingOutWhenNotified) {
  Mutex<bool> ready(false);
  Condvar cv;
  auto setter = spawn([&] {
    // Only once main waits: a notify before the wait would prove nothing.
    EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kOther)) << "main never waited on the condvar";
    *ready.lock() = true;
    cv.notify_all();
  });
  auto g = ready.lock();
  bool timed_out = false;
  while (!*g && !timed_out) timed_out = cv.wait_for(g, 10s).timed_out();
  EXPECT_FALSE(timed_out);
  EXPECT_TRUE(*g);
  g.unlock();
  setter.join();
}

TEST(Condvar, WaitTimeoutWhileTimesOutWhileTheConditionHolds) {
  Mutex<int> m(0);
  Condvar cv;
  auto g = m.lock();
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(cv.wait_timeout_while(g, 30ms, [](int& v) { return v == 0; }).timed_out());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 25ms);
}

TEST(Condvar, WaitTimeoutWhileEndsEarlyWhenTheConditionChanges) {
  Mutex<int> m(0);
  Condvar cv;
  auto setter = spawn([&] {
    // Only once main waits: a notify before the wait would prove nothing.
    EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kOther)) << "main never waited on the condvar";
    *m.lock() = 1;
    cv.notify_one();
  });
  auto g = m.lock();
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(cv.wait_timeout_while(g, 10s, [](int& v) { return v == 0; }).timed_out());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(*g, 1);
  g.unlock();
  setter.join();
}

TEST(Condvar, NotifyAllWakesEveryWaiter) {
  const int waiters = 5;
  Mutex<int> state(0);  // 0: closed; 1: open. Waiting count kept separately.
  Mutex<int> waiting(0);
  Condvar opened;
  Condvar arrived;
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < waiters; ++i) {
    hs.push_back(spawn([&] {
      auto g = state.lock();
      {
        *waiting.lock() += 1;
        arrived.notify_one();
      }
      opened.wait_while(g, [](int& s) { return s == 0; });
    }));
  }
  {
    auto w = waiting.lock();
    arrived.wait_while(w, [&](int& n) { return n < waiters; });
  }
  *state.lock() = 1;
  opened.notify_all();
  for (auto& h : hs) h.join();  // Each join returns only if its waiter woke.
  SUCCEED();
}

TEST(Condvar, NotifyingWithNobodyWaitingIsHarmless) {
  Condvar cv;
  cv.notify_one();
  cv.notify_all();
  Mutex<int> m(0);
  auto g = m.lock();
  EXPECT_TRUE(cv.wait_for(g, 1ms).timed_out());
}

TEST(Condvar, PingPongTakesStrictTurns) {
  const int hits = stress_iterations(2000);
  Mutex<int> turn(0, "turn");
  Condvar cv;
  std::atomic<int> out_of_turn{0};
  auto player = [&](int me) {
    for (int i = 0; i < hits; ++i) {
      auto g = turn.lock();
      cv.wait_while(g, [&](int& t) { return t % 2 != me; });
      if (*g % 2 != me) out_of_turn.fetch_add(1);
      *g += 1;
      cv.notify_all();
    }
  };
  auto ping = spawn([&] { player(0); });
  auto pong = spawn([&] { player(1); });
  ping.join();
  pong.join();
  EXPECT_EQ(out_of_turn.load(), 0);
  EXPECT_EQ(*turn.lock(), 2 * hits);
}

}  // namespace
}  // namespace racelings
