// channel/sleepers.h
// -----------------------------------------------------------------------------
//
// Internal to channel.h: the slow path of the list and array flavors, where a
// thread that cannot go on sleeps (receivers on an empty channel, senders on
// a full one), and where the deadlock detector learns what it waits for.
// A thread that may have made progress possible calls wake_one()/wake_all(),
// which cost one load while nobody sleeps.
//
// No wakeup is lost: a sleeper counts itself (sleeping_, seq_cst) before it
// checks its condition one last time, and a waker makes its change with a
// seq_cst read-modify-write before it reads the count. In the single total
// order of seq_cst operations either the sleeper's check comes after the
// change, or the waker's read comes after the count; a waker that sees a
// sleeper takes mu_, so it notifies either before the sleeper checks or
// after it waits.
//
// Under the controlled scheduler mu_ and cv_ go through the interposition
// (schedule/interpose.cc): the sleep is a wait the scheduler sees.
//
// Rust equivalent: crossbeam-channel's `SyncWaker` (a waker list behind a
// mutex, with an `is_empty` flag read first).

#ifndef RACELINGS_PRIMITIVES_CHANNEL_SLEEPERS_H_
#define RACELINGS_PRIMITIVES_CHANNEL_SLEEPERS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <source_location>

#include "primitives/channel/common.h"
#include "primitives/detector.h"

namespace racelings {
namespace internal {

class Sleepers {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // Sleepers::sleep(): sleeps until woken, or until `deadline` (if not
  // null), unless `ready()` already holds once the caller is counted.
  // `ready` must read what the wakers change with seq_cst loads. The caller
  // tries its operation again afterwards: a wakeup is a hint. Returns true
  // when the deadline passed.
  template <typename Ready>
  bool sleep(Ready ready, const detector::Waitable& what, const Deadline* deadline, const std::source_location& where) {
    std::unique_lock<std::mutex> lock(mu_);
    sleeping_.fetch_add(1, std::memory_order_seq_cst);
    bool timed_out = false;
    if (!ready()) {
      detector::BlockScope waiting(what, deadline != nullptr, where);
      if (deadline == nullptr) {
        cv_.wait(lock);
      } else {
        timed_out = cv_.wait_until(lock, *deadline) == std::cv_status::timeout;
      }
    }
    sleeping_.fetch_sub(1, std::memory_order_relaxed);
    return timed_out;
  }

  // After a change that lets one sleeper go on (a message in, a slot free).
  [[gnu::always_inline]] void wake_one() {
    if (sleeping_.load(std::memory_order_seq_cst) != 0) [[unlikely]]
      wake(false);
  }

  // After a disconnection: every sleeper must look again.
  void wake_all() {
    if (sleeping_.load(std::memory_order_seq_cst) != 0) wake(true);
  }

 private:
  [[gnu::noinline]] void wake(bool all) {
    std::lock_guard<std::mutex> lock(mu_);
    if (all) {
      cv_.notify_all();
    } else {
      cv_.notify_one();
    }
  }

  // Read by every send (or receive): on a line of its own, away from the
  // queue's indices, so that reading it costs no cache miss while nobody
  // sleeps.
  alignas(kCacheLine) std::atomic<int> sleeping_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CHANNEL_SLEEPERS_H_
