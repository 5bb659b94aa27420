// Deliberately stuck async programs, one per scenario named by argv[1], for
// deadlock_test.cc. Each prints "expect-site: <file>:<line>" (the co_await the
// report must name) before it gets stuck; the runtime (or the thread
// detector) then prints its report and exits with code 66. The "no_deadlock_*"
// scenarios look stuck for longer than the grace period but are not, and must
// exit 0 without a report.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <source_location>
#include <string>

#include "primitives/async/async.h"
#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace racelings {
namespace async {
namespace {

using namespace std::chrono_literals;

void expect_site(int line) {
  std::string s = "expect-site: primitives/async/deadlock_scenarios.cc:" + std::to_string(line) + "\n";
  (void)!::write(STDERR_FILENO, s.data(), s.size());
}

// The receiver keeps a Sender alive, so its recv() can never end.
Task<int> consumer(Receiver<int>& rx) {
  int sum = 0;
  expect_site(__LINE__ + 1);
  while (auto v = co_await rx.recv()) sum += *v;
  co_return sum;
}

Task<void> forgotten_sender() {
  auto [tx, rx] = unbounded_channel<int>();
  JoinHandle<int> h = spawn(consumer(rx));
  (co_await tx.send(1)).unwrap();
  // Bug: `tx` is still alive here, so the consumer waits for more forever.
  co_await h;
}

void channel_current_thread() { Runtime::current_thread().block_on(forgotten_sender()); }
void channel_multi_thread() { Runtime::multi_thread(2).block_on(forgotten_sender()); }

// Two tasks each wait to receive before they send.
Task<void> receive_then_send(Receiver<int> rx, Sender<int> tx, bool report_site) {
  if (report_site) expect_site(__LINE__ + 1);
  std::optional<int> v = co_await rx.recv();
  (co_await tx.send(v.value_or(0) + 1)).unwrap();
}

void ping_pong_both_wait() {
  Runtime rt = Runtime::multi_thread(2);
  rt.block_on([]() -> Task<void> {
    auto [tx1, rx1] = unbounded_channel<int>();
    auto [tx2, rx2] = unbounded_channel<int>();
    co_await join_all(receive_then_send(std::move(rx1), tx2, true), receive_then_send(std::move(rx2), tx1, false));
  });
}

// Lock order inversion between two tasks: A then B, and B then A.
Task<void> lock_both(Mutex<int>& first, Mutex<int>& second, bool report_site) {
  auto g1 = co_await first.lock();
  co_await sleep_for(20ms);  // Both now hold their first lock.
  if (report_site) expect_site(__LINE__ + 1);
  auto g2 = co_await second.lock();
  *g1 += *g2;
}

void mutex_cycle() {
  Runtime rt = Runtime::multi_thread(2);
  rt.block_on([]() -> Task<void> {
    Mutex<int> a(1, "account A");
    Mutex<int> b(2, "account B");
    auto t1 = spawn(lock_both(a, b, false));
    co_await sleep_for(5ms);  // t1 goes first, so t2 closes the cycle.
    auto t2 = spawn(lock_both(b, a, true));
    co_await t1;
    co_await t2;
  });
}

void mutex_relock() {
  Runtime::current_thread().block_on([]() -> Task<void> {
    Mutex<int> m(0, "config");
    auto g = co_await m.lock();
    expect_site(__LINE__ + 1);
    auto again = co_await m.lock();  // The same task, the same lock.
  });
}

// A racelings::Mutex (a thread lock) held across co_await on a
// current-thread runtime: the second task blocks the only thread.
void sync_mutex_current_thread() {
  racelings::Mutex<int> m(0, "thread lock");
  Runtime::current_thread().block_on([&m]() -> Task<void> {
    auto holder = spawn([](racelings::Mutex<int>& m) -> Task<void> {
      auto g = m.lock();
      co_await sleep_for(10ms);  // Bug: a thread guard held across co_await.
      *g += 1;
    }(m));
    co_await yield_now();
    auto other = spawn([](racelings::Mutex<int>& m) -> Task<void> {
      expect_site(__LINE__ + 1);
      auto g = m.lock();
      *g += 1;
      co_return;
    }(m));
    co_await holder;
    co_await other;
  });
}

// Two tasks await each other's JoinHandle; main waits for the first one's
// message.
void join_cycle() {
  Runtime::current_thread().block_on([]() -> Task<void> {
    auto [tx, rx] = unbounded_channel<int>();
    auto slot = std::make_shared<std::optional<JoinHandle<void>>>();
    auto first = spawn([](std::shared_ptr<std::optional<JoinHandle<void>>> slot, Sender<int> tx) -> Task<void> {
      while (!slot->has_value()) co_await yield_now();
      co_await **slot;
      (co_await tx.send(1)).unwrap();
    }(slot, std::move(tx)));
    *slot = spawn([](JoinHandle<void> other) -> Task<void> {
      expect_site(__LINE__ + 1);
      co_await other;
    }(std::move(first)));
    co_await rx.recv();
  });
}

// Not deadlocks: a timer, or a thread that sleeps, wakes the task later than
// the grace period.
void no_deadlock_timer() {
  Runtime::current_thread().block_on([]() -> Task<void> {
    auto [tx, rx] = unbounded_channel<int>();
    auto late = spawn([](Sender<int> tx) -> Task<void> {
      co_await sleep_for(600ms);
      (co_await tx.send(1)).unwrap();
    }(std::move(tx)));
    co_await rx.recv();
    co_await late;
  });
}

void no_deadlock_thread_sleeps() {
  auto [tx, rx] = unbounded_channel<int>();
  auto thread = racelings::spawn([tx = std::move(tx)]() mutable {
    std::this_thread::sleep_for(600ms);
    tx.try_send(1).unwrap();
  });
  Runtime::multi_thread(2).block_on([&rx = rx]() -> Task<void> { co_await rx.recv(); });
  thread.join();
}

}  // namespace
}  // namespace async
}  // namespace racelings

int main(int argc, char** argv) {
  using namespace racelings::async;
  struct Scenario {
    const char* name;
    void (*run)();
  };
  const Scenario scenarios[] = {
      {"channel_current_thread", channel_current_thread},
      {"channel_multi_thread", channel_multi_thread},
      {"ping_pong_both_wait", ping_pong_both_wait},
      {"mutex_cycle", mutex_cycle},
      {"mutex_relock", mutex_relock},
      {"sync_mutex_current_thread", sync_mutex_current_thread},
      {"join_cycle", join_cycle},
      {"no_deadlock_timer", no_deadlock_timer},
      {"no_deadlock_thread_sleeps", no_deadlock_thread_sleeps},
  };
  if (argc == 2) {
    for (const Scenario& s : scenarios) {
      if (std::strcmp(argv[1], s.name) == 0) {
        s.run();
        std::printf("finished\n");
        return 0;
      }
    }
  }
  std::fprintf(stderr, "usage: deadlock_scenarios <scenario>; scenarios:");
  for (const Scenario& s : scenarios) std::fprintf(stderr, " %s", s.name);
  std::fprintf(stderr, "\n");
  return 2;
}
