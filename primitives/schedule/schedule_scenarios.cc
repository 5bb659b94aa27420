// Small concurrent programs, some correct and some with a bug that only some
// interleavings show, run under the controlled scheduler by
// schedule_scenarios_test.cc (one --gtest_filter at a time). Not run by
// themselves: several fail on purpose.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "primitives/condvar.h"
#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace {

using namespace std::chrono_literals;

// Check, then act, in two critical sections: two users can both get a name.
bool sign_up(racelings::Mutex<std::map<std::string, int>>& names, const std::string& name, int user) {
  if (names.lock()->contains(name)) return false;
  (*names.lock())[name] = user;
  return true;
}

TEST(Scenario, CheckThenAct) {
  racelings::Mutex<std::map<std::string, int>> names;
  std::vector<int> won(2);
  racelings::scope([&](racelings::Scope& s) {
    for (int user = 0; user < 2; ++user) {
      racelings::Builder().name("user-" + std::to_string(user)).spawn_scoped(s, [&, user] {
        won[user] = sign_up(names, "ada", user);
      });
    }
  });
  EXPECT_EQ(won[0] + won[1], 1) << "the name was given to " << won[0] + won[1] << " users";
}

TEST(Scenario, LockedCounter) {
  racelings::Mutex<int> counter(0, "counter");
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < 3; ++t) {
      s.spawn([&] {
        for (int i = 0; i < 3; ++i) *counter.lock() += 1;
      });
    }
  });
  EXPECT_EQ(*counter.lock(), 9);
}

// The notification comes before the reader waits: it is lost.
TEST(Scenario, LostWakeup) {
  racelings::Mutex<bool> posted(false, "mailbox");
  racelings::Condvar arrived;
  auto reader = racelings::Builder().name("reader").spawn([&] {
    auto guard = posted.lock();
    arrived.wait(guard);
  });
  *posted.lock() = true;
  arrived.notify_one();
  reader.join();
}

// Joins a worker while holding the lock the worker needs: a cycle, which the
// detector reports as the worker starts to wait (its registry lock held).
TEST(Scenario, JoinWhileHolding) {
  racelings::Mutex<int> journal(0, "journal");
  auto guard = journal.lock();
  auto worker = racelings::Builder().name("worker").spawn([&] { *journal.lock() += 1; });
  worker.join();
}

// Waits behind an `if`: a spurious wakeup takes from an empty queue.
TEST(Scenario, IfInsteadOfWhile) {
  racelings::Mutex<std::deque<int>> queue;
  racelings::Condvar ready;
  int taken = -1;
  auto consumer = racelings::Builder().name("consumer").spawn([&] {
    auto guard = queue.lock();
    if (guard->empty()) ready.wait(guard);
    taken = guard->empty() ? -1 : guard->front();
  });
  queue.lock()->push_back(7);
  ready.notify_one();
  consumer.join();
  EXPECT_EQ(taken, 7);
}

// A time-limited wait whose result is ignored: if it times out, the data is
// not there yet.
TEST(Scenario, TimeoutIgnored) {
  racelings::Mutex<std::optional<int>> slot;
  racelings::Condvar filled;
  int got = -1;
  auto reader = racelings::Builder().name("reader").spawn([&] {
    auto guard = slot.lock();
    filled.wait_timeout_while(guard, 1h, [](std::optional<int>& s) { return !s.has_value(); });
    got = guard->value_or(-1);
  });
  *slot.lock() = 5;
  filled.notify_one();
  reader.join();
  EXPECT_EQ(got, 5);
}

TEST(Scenario, SpinWithYield) {
  std::atomic<bool> ready{false};
  int data = 0;
  auto waiter = racelings::Builder().name("waiter").spawn([&] {
    while (!ready.load(std::memory_order_acquire)) std::this_thread::yield();
    return data;
  });
  data = 42;
  ready.store(true, std::memory_order_release);
  EXPECT_EQ(waiter.join(), 42);
}

// Waits for a flag nobody sets, but only for a second of its own clock: time
// passes while a thread only spins, so the loop ends.
TEST(Scenario, SpinUntilADeadline) {
  std::atomic<bool> flag{false};
  auto waiter = racelings::Builder().name("waiter").spawn([&] {
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    while (!flag.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    return flag.load();
  });
  EXPECT_FALSE(waiter.join());
}

// Each waits for the other to go first: they spin forever.
TEST(Scenario, Livelock) {
  std::atomic<bool> a_done{false}, b_done{false};
  auto a = racelings::Builder().name("polite-a").spawn([&] {
    while (!b_done.load()) std::this_thread::yield();
    a_done = true;
  });
  auto b = racelings::Builder().name("polite-b").spawn([&] {
    while (!a_done.load()) std::this_thread::yield();
    b_done = true;
  });
  a.join();
  b.join();
}

TEST(Scenario, SleepsAreVirtual) {
  auto start = std::chrono::steady_clock::now();
  auto sleeper = racelings::Builder().name("sleeper").spawn([] { std::this_thread::sleep_for(1h); });
  sleeper.join();
  // On the virtual clock the hour passed; the test took no real hour.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1h);
}

// std::mutex and std::condition_variable used directly: scheduled too, and
// correct here, so no schedule fails (and none hangs).
TEST(Scenario, StdMutexAndCondvar) {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<int> queue;
  int sum = 0;
  auto consumer = racelings::Builder().name("consumer").spawn([&] {
    for (int i = 0; i < 3; ++i) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !queue.empty(); });
      sum += queue.front();
      queue.pop_front();
    }
  });
  for (int i = 1; i <= 3; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(i);
    }
    cv.notify_one();
  }
  consumer.join();
  EXPECT_EQ(sum, 6);
}

// A load, then a store: another thread's store in between is lost. Only
// atomics are involved, so only ThreadSanitizer's interposed atomics make
// the gap a scheduling point.
TEST(Scenario, AtomicLostUpdate) {
  std::atomic<int> visits{0};
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < 2; ++t) {
      s.spawn([&] {
        for (int i = 0; i < 2; ++i) visits.store(visits.load() + 1);
      });
    }
  });
  EXPECT_EQ(visits.load(), 4);
}

// Two threads write one plain int with no lock: a data race in every
// schedule, even though the scheduler runs them one at a time.
TEST(Scenario, UnlockedRace) {
  int shared = 0;
  auto a = racelings::Builder().name("writer-a").spawn([&] { shared = 1; });
  auto b = racelings::Builder().name("writer-b").spawn([&] { shared = 2; });
  a.join();
  b.join();
  EXPECT_GT(shared, 0);
}

}  // namespace
