// Tests that hang or run long, run (one at a time, by --gtest_filter) by
// watchdog_test as a child process. Not a test itself: it fails on purpose.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace racelings {
namespace {}  // namespace

// Never set. Visible outside this file, so the compiler cannot prove the
// spin below endless (a provably endless loop without side effects is
// undefined behaviour, and clang then drops it).
std::atomic<bool> stop_spinning{false};

namespace {

// Spins on an atomic forever, where the deadlock detector cannot see it;
// meanwhile a named thread waits for a message that never comes.
TEST(Victim, SpinsForever) {
  auto [tx, rx] = channel<int>();
  auto waiter = Builder().name("waiter").spawn([rx = std::move(rx)]() mutable { (void)rx.recv(); });
  while (!stop_spinning.load(std::memory_order_relaxed)) {
  }
  tx.close();
  waiter.join();
}

// Finishes, but only after 1.5 s.
TEST(Victim, TakesOneAndAHalfSeconds) { std::this_thread::sleep_for(std::chrono::milliseconds(1500)); }

}  // namespace
}  // namespace racelings
