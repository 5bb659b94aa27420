// deadlock_scenarios: small programs that deadlock, misuse a primitive, or
// (the clean ones) use every primitive heavily and correctly. Run by
// detector_scenarios_test, which checks what the deadlock detector prints.
//
//   deadlock_scenarios <name>      (no name: the list)
//
// On standard output a scenario prints `expect-site: <file>:<line>:` for each
// place a report must name, and `scenario finished` if it gets to its end.
//
// expect_site() names its own line, so it shares the line of the operation a
// report must name: this file is laid out by hand, not by clang-format.
// clang-format off

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <source_location>
#include <string>
#include <thread>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/channel.h"
#include "primitives/condvar.h"
#include "primitives/detector.h"
#include "primitives/mutex.h"
#include "primitives/once.h"
#include "primitives/rwlock.h"
#include "primitives/thread.h"

namespace racelings {

// Written by detached_at_exit() below; outside the anonymous namespace on purpose.
int g_written_after_main_returned = 0;

namespace {

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  // Deadlock reports end the process with _Exit: nothing may wait in a buffer.
  std::fflush(stdout);
}

// Prints the caller's file and line: a report must name this place.
void expect_site(std::source_location where = std::source_location::current()) {
  say("expect-site: " + std::string(where.file_name()) + ":" + std::to_string(where.line()) + ":");
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Two tellers take the two account locks in opposite orders, one after the
// other: no hang, but the order closes a cycle (a lock-order inversion).
void inversion() {
  Mutex<int> a(100, "account A");
  Mutex<int> b(100, "account B");
  Builder()
      .name("teller-1")
      .spawn([&] {
        auto ga = a.lock(); expect_site();
        auto gb = b.lock(); expect_site();
        *ga -= 10;
        *gb += 10;
      })
      .join();
  Builder()
      .name("teller-2")
      .spawn([&] {
        auto gb = b.lock(); expect_site();
        auto ga = a.lock(); expect_site();
        *gb -= 10;
        *ga += 10;
      })
      .join();
  say("balances " + std::to_string(*a.lock()) + " " + std::to_string(*b.lock()));
}

// The dining philosophers with two forks: each holds one and waits for the other.
void cycle() {
  Mutex<int> fork1(0, "fork 1");
  Mutex<int> fork2(0, "fork 2");
  Barrier both_hold(2);
  std::atomic<bool> main_joins{false};
  // Let main reach join() first, so that the report shows it waiting.
  auto after_main_joins = [&] {
    while (!main_joins.load()) sleep_ms(1);
    sleep_ms(100);
  };
  auto left = Builder().name("left").spawn([&] {
    auto f1 = fork1.lock();
    both_hold.wait();
    after_main_joins();
    auto f2 = fork2.lock();
  });
  auto right = Builder().name("right").spawn([&] {
    auto f2 = fork2.lock();
    both_hold.wait();
    after_main_joins();
    auto f1 = fork1.lock();
  });
  main_joins.store(true);
  left.join();
  right.join();
}

// The consumer iterates until the channel closes, but main keeps its Sender
// alive while it joins the consumer: nobody can ever close the channel.
void recv_sender_alive() {
  auto [tx, rx] = channel<int>();
  auto consumer = Builder().name("consumer").spawn([rx = std::move(rx)]() mutable {
    int sum = 0;
    for (int v : rx) sum += v;
    return sum;
  });
  for (int i = 0; i < 3; ++i) tx.send(i).unwrap();
  consumer.join();
}

// The notification comes before anyone waits, and the waiter waits without
// checking a condition: the wakeup is lost.
void lost_wakeup() {
  Mutex<bool> ready(false, "ready");
  Condvar cv;
  *ready.lock() = true;
  cv.notify_one();  // Nobody waits yet: this notification is lost.
  auto waiter = Builder().name("waiter").spawn([&] {
    auto g = ready.lock();
    cv.wait(g);  // The bug: no `while (!*g)` loop, so it waits for a notification already gone.
  });
  waiter.join();
}

// A reader asks for write access to the lock it reads. (Deliberate: the
// analysis rejects it at compile time; the detector must report it at run time.)
void rwlock_upgrade() NO_THREAD_SAFETY_ANALYSIS {
  RwLock<int> config(1, "config");
  auto r = config.read();
  expect_site(); auto w = config.write();
}

// A thread locks a mutex it already holds. (Deliberate, as above.)
void relock() NO_THREAD_SAFETY_ANALYSIS {
  Mutex<int> m(0, "counter");
  auto g1 = m.lock(); expect_site();
  expect_site(); auto g2 = m.lock();
}

// Main joins a worker while holding the lock the worker needs.
void join_holding_lock() {
  Mutex<int> m(0, "results");
  auto g = m.lock();
  auto worker = Builder().name("worker").spawn([&] { *m.lock() += 1; });
  sleep_ms(50);
  worker.join();
}

// A barrier for three threads that only two ever reach.
void barrier_short() {
  Barrier b(3);
  auto other = Builder().name("arriver").spawn([&] { b.wait(); });
  b.wait();
  other.join();
}

// A bounded channel fills up and nobody receives.
void bounded_send() {
  auto [tx, rx] = sync_channel<int>(1);
  tx.send(1).unwrap();
  tx.send(2).unwrap();  // Blocks forever: rx is alive but nobody receives.
}

// A rendezvous send with no receiver running.
void rendezvous_send() {
  auto [tx, rx] = sync_channel<int>(0);
  tx.send(1).unwrap();
}

// A JoinHandle dropped without join() or detach().
void thread_leak() {
  std::atomic<bool> done{false};
  {
    auto h = Builder().name("forgotten").spawn([&] { done.store(true); });
  }
  // Wait for the thread so that it does not outlive `done`.
  while (!done.load()) sleep_ms(1);
  sleep_ms(20);
}

// A detached thread that writes a global after main has returned, racing
// with main's own write: the program ends while the thread still runs.
// Without TSan's one-second exit sleep (the runs set atexit_sleep_ms=0), the
// detector must still report the thread and let it run to its write, so that
// a TSan build reports the race too. The global (racelings::
// g_written_after_main_returned, above) has external linkage: the tests build
// at -O1, where stores to an internal global that nothing reads are removed,
// and with them the race.
void detached_at_exit() {
  Builder()
      .name("straggler")
      .spawn([] {
        sleep_ms(100);
        g_written_after_main_returned = 2;
        say("straggler wrote");
      })
      .detach();
  g_written_after_main_returned = 1;
}

// Correct use of nested locks (always in the same order A -> B -> C), an
// RwLock, a Barrier and a Once by eight threads at once.
void clean_locks_barrier_once() {
  const int kThreads = 8;
  const int kRounds = 200;
  // Nested locks, always in the same order A -> B -> C.
  Mutex<int> a(0, "A"), b(0, "B"), c(0, "C");
  RwLock<std::vector<int>> table(std::vector<int>(16, 0), "table");
  Barrier rounds(kThreads);
  Once once;
  std::atomic<int> once_runs{0};
  {
    std::vector<JoinHandle<void>> hs;
    for (int t = 0; t < kThreads; ++t) {
      hs.push_back(Builder().name("worker-" + std::to_string(t)).spawn([&, t] {
        for (int i = 0; i < kRounds; ++i) {
          once.call_once([&] { once_runs.fetch_add(1); });
          {
            auto ga = a.lock();
            auto gb = b.lock();
            auto gc = c.lock();
            *ga += 1;
            *gb += 1;
            *gc += 1;
          }
          if (i % 3 == t % 3) {
            auto w = table.write();
            (*w)[static_cast<size_t>(i) % w->size()] += 1;
          } else {
            auto r = table.read();
            (void)(*r)[0];
          }
          if (i % 50 == 0) rounds.wait();
        }
      }));
    }
    for (auto& h : hs) h.join();
  }
  const int a_total = *a.lock();
  const int c_total = *c.lock();
  if (a_total != kThreads * kRounds || c_total != kThreads * kRounds || once_runs.load() != 1) {
    say("WRONG totals");
    std::exit(1);
  }
}

// Condvar ping-pong: two threads take turns.
void clean_condvar_ping_pong() {
  Mutex<int> turn(0, "turn");
  Condvar cv;
  const int kHits = 500;
  auto player = [&](int me) {
    for (int i = 0; i < kHits; ++i) {
      auto g = turn.lock();
      cv.wait_while(g, [&](int& t) { return t % 2 != me; });
      *g += 1;
      cv.notify_all();
    }
  };
  auto ping = Builder().name("ping").spawn([&] { player(0); });
  auto pong = Builder().name("pong").spawn([&] { player(1); });
  ping.join();
  pong.join();
  if (*turn.lock() != 2 * kHits) {
    say("WRONG ping-pong");
    std::exit(1);
  }
}

// Many producers, one consumer, on unbounded and bounded channels.
void clean_channels() {
  for (size_t bound : {size_t{0}, size_t{4}, std::numeric_limits<size_t>::max()}) {
    auto [tx, rx] = bound == std::numeric_limits<size_t>::max() ? channel<int>() : sync_channel<int>(bound);
    const int kProducers = 8, kEach = 200;
    std::vector<JoinHandle<void>> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.push_back(spawn([tx = tx]() mutable {
        for (int i = 0; i < kEach; ++i) tx.send(1).unwrap();
      }));
    }
    tx.close();
    long total = 0;
    for (int v : rx) total += v;
    for (auto& h : producers) h.join();
    if (total != kProducers * kEach) {
      say("WRONG channel total");
      std::exit(1);
    }
  }
}

// Everything correct, under heavy use: must print no report.
void clean_heavy() {
  clean_locks_barrier_once();
  clean_condvar_ping_pong();
  clean_channels();
}

// Check-then-act: each thread checks a flag, does some work under a lock,
// then sets the flag. Two "winners" means both passed the check before
// either acted. Prints how many trials showed it.
void check_then_act() {
  const int kTrials = 50;
  int violations = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::atomic<int> flag{0};
    std::atomic<int> winners{0};
    Mutex<int> work(0, "work");
    Barrier start(2);
    auto body = [&] {
      start.wait();
      if (flag.load() == 0) {              // check
        { *work.lock() += 1; }             // some work under a lock (a stress point)
        flag.store(1);                     // act
        winners.fetch_add(1);
      }
    };
    auto x = spawn(body);
    auto y = spawn(body);
    x.join();
    y.join();
    if (winners.load() > 1) ++violations;
  }
  say("check-then-act: violations=" + std::to_string(violations) + " of " + std::to_string(kTrials));
}

// What a waiting thread is, between the moment it is woken and the moment
// it runs: still inside its wait as far as the detector's records go, but
// runnable. A machine under load (or ThreadSanitizer, or many jobs at once)
// can leave it there for longer than the grace period; here it stays there
// for a second by spinning inside the wait, which the OS shows the same way
// ('R'). The joining main thread then makes every known thread look blocked.
class SpinningWait final : public detector::Waitable {
 public:
  std::string describe_wait() const override { return "waits on nothing (it is runnable)"; }
};

void woken_not_yet_run() {
  SpinningWait what;
  auto waiter = Builder().name("woken").spawn([&] {
    detector::BlockScope waiting(what, /*has_timeout=*/false, std::source_location::current());
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (std::chrono::steady_clock::now() < until) {
    }
  });
  waiter.join();
  say("woken thread ran");
}

// A thread the primitives do not know sleeps (sleep_for, not an untimed
// wait), then sends: the receiving main thread is the only known thread and
// it is blocked, but the sleeper will wake it.
void unknown_sleeper_wakes() {
  auto [tx, rx] = channel<int>();
  std::thread sleeper([tx = std::move(tx)]() mutable {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    tx.send(42).unwrap();
  });
  int got = rx.recv().unwrap();
  sleeper.join();
  say("received " + std::to_string(got));
}

// Correct notify-then-join, and unlock-then-join, round after round: the
// woken thread has often not run yet when main starts to join it.
// RACELINGS_SCENARIO_ROUNDS sets the number of rounds (default 2000).
void notify_then_join() {
  int rounds = static_cast<int>(std::strtol(std::getenv("RACELINGS_SCENARIO_ROUNDS") != nullptr
                                                ? std::getenv("RACELINGS_SCENARIO_ROUNDS")
                                                : "2000",
                                            nullptr, 10));
  for (int round = 0; round < rounds; ++round) {
    Mutex<bool> ready(false, "ready");
    Condvar cv;
    auto waiter = spawn([&] {
      auto g = ready.lock();
      while (!*g) cv.wait(g);
    });
    {
      auto g = ready.lock();
      *g = true;
      cv.notify_one();
    }
    waiter.join();

    Mutex<int> held(0, "held");
    auto g = held.lock();
    auto locker = spawn([&] { *held.lock() += 1; });
    std::this_thread::yield();
    g.unlock();
    locker.join();
  }
  say("rounds " + std::to_string(rounds));
}

const std::map<std::string, std::function<void()>>& scenarios() {
  static const std::map<std::string, std::function<void()>> kAll = {
      {"inversion", inversion},
      {"cycle", cycle},
      {"recv_sender_alive", recv_sender_alive},
      {"lost_wakeup", lost_wakeup},
      {"rwlock_upgrade", rwlock_upgrade},
      {"relock", relock},
      {"join_holding_lock", join_holding_lock},
      {"barrier_short", barrier_short},
      {"bounded_send", bounded_send},
      {"rendezvous_send", rendezvous_send},
      {"thread_leak", thread_leak},
      {"detached_at_exit", detached_at_exit},
      {"clean_heavy", clean_heavy},
      {"check_then_act", check_then_act},
      {"woken_not_yet_run", woken_not_yet_run},
      {"unknown_sleeper_wakes", unknown_sleeper_wakes},
      {"notify_then_join", notify_then_join},
  };
  return kAll;
}

}  // namespace
}  // namespace racelings

int main(int argc, char** argv) {
  const auto& all = racelings::scenarios();
  auto it = argc == 2 ? all.find(argv[1]) : all.end();
  if (it == all.end()) {
    std::fprintf(stderr, "usage: deadlock_scenarios <scenario>\nscenarios:");
    for (const auto& [name, _] : all) std::fprintf(stderr, " %s", name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  it->second();
  racelings::say("scenario finished");
  return 0;
}
