// barrier.h
// -----------------------------------------------------------------------------
//
// `Barrier`: makes `n` threads wait for each other. Each thread calls `wait()`;
// the first n-1 block, and the n-th releases them all. Exactly one of the n
// is told it is the *leader*, handy for work that must happen once per round.
// A barrier can be reused round after round.
//
// Differences from `std::barrier`: no completion function; the leader flag
// instead; and a thread waiting forever (fewer than n threads ever arrive) is
// seen by the deadlock detector.
//
// Rust equivalent: `std::sync::Barrier` (seed 002):
//
//   let barrier = Arc::new(Barrier::new(3));        // auto barrier = std::make_shared<Barrier>(3);
//   barrier.wait();                                 // barrier->wait();
//   if barrier.wait().is_leader() { ... }           // if (barrier->wait().is_leader()) { ... }

#ifndef RACELINGS_PRIMITIVES_BARRIER_H_
#define RACELINGS_PRIMITIVES_BARRIER_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <source_location>
#include <string>

#include "primitives/detector.h"
#include "primitives/plain_mutex.h"
#include "primitives/schedule/schedule.h"
#include "primitives/thread_annotations.h"

namespace racelings {

// BarrierWaitResult: what Barrier::wait() tells a thread.
class BarrierWaitResult {
 public:
  explicit BarrierWaitResult(bool leader) : leader_(leader) {}
  // True for exactly one thread per round.
  bool is_leader() const { return leader_; }

 private:
  bool leader_;
};

class Barrier final : private detector::Waitable, private schedule::Traced {
 public:
  // Barrier::Barrier(n): for n threads (n = 0 behaves as 1, as in Rust).
  explicit Barrier(size_t n) : n_(n == 0 ? 1 : n) {}
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  // Barrier::wait(): blocks until n threads have called wait() in this round.
  // Memory ordering: everything each thread wrote before wait() is visible to
  // all n threads after it.
  BarrierWaitResult wait(std::source_location where = std::source_location::current()) {
    schedule::point(schedule::Op::kBarrier, this, this, where);
    schedule::Quiet quiet;
    schedule::Describe describe(this, where);
    detector::stress_point();
    internal::PlainLock lock(mu_);
    size_t round = round_;
    size_t arrived = arrived_.load(std::memory_order_relaxed) + 1;
    if (arrived == n_) {
      arrived_.store(0, std::memory_order_relaxed);
      ++round_;
      cv_.notify_all();
      return BarrierWaitResult(true);
    }
    arrived_.store(arrived, std::memory_order_relaxed);
    while (round == round_) {
      detector::BlockScope waiting(*this, false, where);
      cv_.wait(lock.native());
    }
    return BarrierWaitResult(false);
  }

 private:
  std::string describe_wait() const override {
    return "waits at a Barrier (" + std::to_string(arrived_.load(std::memory_order_relaxed)) + " of " +
           std::to_string(n_) + " threads have arrived)";
  }

  // For the controlled scheduler's step log.
  std::string trace_name() const override { return "Barrier(" + std::to_string(n_) + ")"; }
  std::string trace_state() const override {
    return std::to_string(arrived_.load(std::memory_order_relaxed)) + " of " + std::to_string(n_) + " arrived";
  }

  const size_t n_;
  internal::PlainMutex mu_;
  std::condition_variable cv_;
  size_t round_ GUARDED_BY(mu_) = 0;
  // Written under mu_; relaxed reads describe the barrier in reports.
  std::atomic<size_t> arrived_{0};
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_BARRIER_H_
