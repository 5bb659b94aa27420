// racelings_reports: one GoogleTest test per report shape of the primitives'
// own detector (primitives/REPORTS.md), each a small program with the bug an
// exercise has. record_racelings_logs.sh runs them one at a time and keeps
// their output as checker/testdata/logs/racelings/*.log, the report parser's
// sample inputs; racelings_logs_test runs them again and fails when what the
// detector prints has drifted from those logs.
//
// `// site: LOG` marks the line that LOG's report names first (its SUMMARY),
// for the parser's tests.
//
// Every report must come out the same on every run: where two threads race
// to a wait, the second waits until the detector shows the first one waiting
// (detector::waiting_in), never for a while.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "primitives/barrier.h"
#include "primitives/channel.h"
#include "primitives/detector.h"
#include "primitives/mutex.h"
#include "primitives/raw_mutex.h"
#include "primitives/thread.h"

namespace {

using namespace racelings;

// Returns once the named thread waits for `what` in a primitive.
void until_waiting(std::string_view name, detector::WaitKind what) {
  while (detector::waiting_in(name) != what) std::this_thread::yield();
}

// A consumer iterates until the channel closes, but the test keeps its
// Sender alive while it joins the consumer: nobody can close the channel.
TEST(KeepSender, ReceivesEveryMessage) {
  auto [tx, rx] = channel<int>();
  auto consumer = Builder().name("consumer").spawn([rx = std::move(rx)]() mutable {
    for (int v : rx) std::printf("received %d\n", v);  // site: deadlock_all_blocked
  });
  for (int i = 1; i <= 3; ++i) tx.send(i).unwrap();
  consumer.join();
}

// Two tellers each hold one account and wait for the other's.
TEST(Bank, TransfersWhileBothHold) {
  Mutex<int> a(100, "account A");
  Mutex<int> b(100, "account B");
  Barrier both_hold(2);
  auto teller1 = Builder().name("teller-1").spawn([&] {
    auto from = a.lock();
    both_hold.wait();
    auto to = b.lock();
  });
  auto teller2 = Builder().name("teller-2").spawn([&] {
    auto from = b.lock();
    both_hold.wait();
    // Closes the cycle only once teller-1 and main wait, so that the report
    // is the same on every run.
    until_waiting("teller-1", detector::WaitKind::kLock);
    until_waiting("main", detector::WaitKind::kJoin);
    auto to = a.lock();  // site: deadlock_cycle
  });
  teller1.join();
  teller2.join();
}

// A function that holds the log's lock calls one that takes it again.
void append(Mutex<std::string>& log, const std::string& line) {
  *log.lock() += line;  // site: deadlock_self
}

TEST(Log, FlushThenAppend) {
  Mutex<std::string> log("", "log");
  auto guard = log.lock();
  guard->clear();
  append(log, "flushed\n");
}

// Two tellers, one after the other, take the two locks in opposite orders:
// nothing hangs, but either order could meet the other and deadlock.
TEST(Bank, TransfersBothWays) {
  Mutex<int> a(100, "account A");
  Mutex<int> b(100, "account B");
  auto transfer = [](Mutex<int>& from, Mutex<int>& to, int amount) {
    auto f = from.lock();
    auto t = to.lock();  // site: lock_order_inversion
    *f -= amount;
    *t += amount;
  };
  Builder().name("teller-1").spawn([&] { transfer(a, b, 10); }).join();
  Builder().name("teller-2").spawn([&] { transfer(b, a, 20); }).join();
  std::printf("balance A = %d, balance B = %d\n", *a.lock(), *b.lock());
}

// A worker unlocks the queue's lock that the main thread took, and a
// refresher ends without unlocking the cache's, which is then destroyed.
TEST(Shutdown, DrainsAndStops) {
  RawMutex queue("queue");
  queue.lock();
  Builder().name("worker").spawn([&] { queue.unlock(); }).join();  // site: mutex_misuse

  auto cache = std::make_unique<RawMutex>("cache");
  Builder().name("refresher").spawn([&] { cache->lock(); }).join();
  cache.reset();
}

// The JoinHandle of a running thread goes out of scope without join().
TEST(Upload, FinishesInTheBackground) {
  auto [done_tx, done_rx] = channel<int>();
  {
    auto uploader = Builder().name("uploader").spawn([done_tx = std::move(done_tx)]() mutable {  // site: thread_leak
      done_tx.send(1).unwrap();
    });
  }
  done_rx.recv().unwrap();
  std::printf("upload done\n");
}

// A producer keeps going after it sent its items and never ends; the test
// joins it and runs past its time limit (RACELINGS_TEST_TIMEOUT_S).
TEST(Pipeline, DeliversEveryItem) {
  auto [tx, rx] = sync_channel<int>(8);
  auto producer = Builder().name("producer").spawn([tx = std::move(tx)]() mutable {
    for (int i = 0; i < 3; ++i) tx.send(i).unwrap();
    for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  });
  for (int i = 0; i < 3; ++i) std::printf("got %d\n", rx.recv().unwrap());
  producer.join();  // site: timeout
}

}  // namespace
