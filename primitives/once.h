// once.h
// -----------------------------------------------------------------------------
//
// `Once`: runs an initialisation exactly once, however many threads ask at the
// same time. Threads that arrive while it runs wait for it to finish; after
// it, `call_once` returns at once. If the function throws, the Once is
// *poisoned* and later calls throw too (use `call_once_force` to retry).
//
// Differences from `std::call_once`: poisoning instead of "try again on the
// next call", `is_completed()`, and waits seen by the deadlock detector (a
// function that calls its own Once again waits forever: reported).
//
// Rust equivalent: `std::sync::Once` (seed 002's singleton):
//
//   static INIT: Once = Once::new();                // static racelings::Once init;
//   INIT.call_once(|| { ... });                     // init.call_once([] { ... });

#ifndef RACELINGS_PRIMITIVES_ONCE_H_
#define RACELINGS_PRIMITIVES_ONCE_H_

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <source_location>
#include <stdexcept>
#include <string>

#include "primitives/detector.h"
#include "primitives/schedule/schedule.h"

namespace racelings {

// OnceState: passed to call_once_force's function.
class OnceState {
 public:
  explicit OnceState(bool poisoned) : poisoned_(poisoned) {}
  // Whether an earlier attempt threw.
  bool is_poisoned() const { return poisoned_; }

 private:
  bool poisoned_;
};

class Once final : private detector::Waitable {
 public:
  // What happens when the function throws: kPoison (Rust's Once) or kRetry
  // (the next caller runs it again; Rust's OnceLock).
  enum class OnFailure { kPoison, kRetry };

  Once() = default;
  explicit Once(OnFailure on_failure) : on_failure_(on_failure) {}
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  // Once::call_once(): runs `f` if no call has completed yet; blocks while
  // another thread runs it. Throws std::runtime_error if the Once is
  // poisoned; rethrows what `f` throws.
  // Memory ordering: everything `f` wrote is visible to every thread after
  // its call_once returns.
  template <typename F>
  void call_once(F&& f, std::source_location where = std::source_location::current()) {
    if (state_.load(std::memory_order_acquire) == kDone) return;
    run(
        [&](bool poisoned) {
          if (poisoned) throw std::runtime_error("Once instance has previously been poisoned");
          std::invoke(std::forward<F>(f));
        },
        where);
  }

  // Once::call_once_force(): like call_once, but also runs on a poisoned
  // Once, telling `f` through OnceState.
  template <typename F>
  void call_once_force(F&& f, std::source_location where = std::source_location::current()) {
    if (state_.load(std::memory_order_acquire) == kDone) return;
    run([&](bool poisoned) { std::invoke(std::forward<F>(f), OnceState(poisoned)); }, where);
  }

  // Once::is_completed(): a call has finished without throwing.
  bool is_completed() const { return state_.load(std::memory_order_acquire) == kDone; }

 private:
  enum State : int { kNew, kRunning, kDone, kPoisoned };

  // The internal locking runs Quiet (no scheduling points of its own under
  // the controlled scheduler); the caller's function does not.
  template <typename Body>
  void run(Body&& body, const std::source_location& where) {
    schedule::point(schedule::Op::kOnce, this, nullptr, where);
    bool poisoned = false;
    {
      schedule::Quiet quiet;
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        int s = state_.load(std::memory_order_relaxed);
        if (s == kDone) return;
        if (s == kRunning) {
          detector::BlockScope waiting(*this, false, where);
          cv_.wait(lock);
          continue;
        }
        poisoned = s == kPoisoned;
        // Relaxed: mu_ orders this with every waiter.
        state_.store(kRunning, std::memory_order_relaxed);
        break;
      }
    }
    try {
      body(poisoned);
    } catch (...) {
      schedule::Quiet quiet;
      std::lock_guard<std::mutex> lock(mu_);
      state_.store(on_failure_ == OnFailure::kPoison ? kPoisoned : (poisoned ? kPoisoned : kNew),
                   std::memory_order_relaxed);
      cv_.notify_all();
      throw;
    }
    schedule::Quiet quiet;
    std::lock_guard<std::mutex> lock(mu_);
    // Release: pairs with the acquire fast path in call_once.
    state_.store(kDone, std::memory_order_release);
    cv_.notify_all();
  }

  std::string describe_wait() const override { return "waits for another thread's Once::call_once to finish"; }

  OnFailure on_failure_ = OnFailure::kPoison;
  std::atomic<int> state_{kNew};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ONCE_H_
