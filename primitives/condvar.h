// condvar.h
// -----------------------------------------------------------------------------
//
// `Condvar`: lets threads sleep until another thread changes the data behind a
// `Mutex<T>` and tells them. Waiting releases the mutex and takes it back
// before returning, so the waiter always looks at the data under the lock.
//
// A wait may end without a notification ("spurious wakeup"), and a
// notification sent while nobody waits is lost. So always wait for a
// *condition* of the data, in a loop or with `wait_while`. Under schedule
// stress (RACELINGS_STRESS) `wait()` really does wake up spuriously now and
// then, so code that forgets the loop fails reliably.
//
// Differences from `std::condition_variable`: works on `MutexGuard<T>`; a
// wait with no timeout is seen by the deadlock detector, so a lost wakeup
// that leaves every thread blocked is reported instead of hanging, with the
// number of notifications that nobody received. Under the controlled
// scheduler (schedule/schedule.h) a wait may end spuriously or time out early
// as one of the scheduler's choices.
//
// Rust equivalent: `std::sync::Condvar` (seed 002):
//
//   let mut started = lock.lock().unwrap();         // auto started = lock.lock();
//   while !*started {                               // while (!*started) {
//       started = cvar.wait(started).unwrap();      //   cvar.wait(started);
//   }                                               // }
//   // or: cvar.wait_while(guard, |s| !*s)          // cvar.wait_while(started, [](bool& s) { return !s; });

#ifndef RACELINGS_PRIMITIVES_CONDVAR_H_
#define RACELINGS_PRIMITIVES_CONDVAR_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <source_location>
#include <string>

#include "primitives/detector.h"
#include "primitives/mutex.h"
#include "primitives/schedule/schedule.h"

namespace racelings {

// WaitTimeoutResult: whether a timed wait ended because time ran out.
class WaitTimeoutResult {
 public:
  explicit WaitTimeoutResult(bool timed_out) : timed_out_(timed_out) {}
  bool timed_out() const { return timed_out_; }

 private:
  bool timed_out_;
};

class Condvar final : private detector::Waitable, private schedule::Traced {
 public:
  explicit Condvar(std::source_location created = std::source_location::current()) : created_(created) {}
  Condvar(const Condvar&) = delete;
  Condvar& operator=(const Condvar&) = delete;

  // Condvar::wait(): releases the guard's mutex, sleeps until notified (or
  // spuriously woken), and takes the mutex back. Blocks.
  template <typename T>
  void wait(MutexGuard<T>& guard, std::source_location where = std::source_location::current()) {
    wait_impl(guard, where, nullptr);
  }

  // Condvar::wait_while(): waits as long as `condition(data)` is true, so a
  // spurious wakeup or a stolen notification cannot end the wait early.
  template <typename T, typename Predicate>
  void wait_while(MutexGuard<T>& guard, Predicate condition,
                  std::source_location where = std::source_location::current()) {
    while (condition(*guard)) wait_impl(guard, where, nullptr);
  }

  // Condvar::wait_for(): wait() with a time limit. Rust: `wait_timeout`.
  template <typename T, typename Rep, typename Period>
  WaitTimeoutResult wait_for(MutexGuard<T>& guard, std::chrono::duration<Rep, Period> timeout,
                             std::source_location where = std::source_location::current()) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    return WaitTimeoutResult(wait_impl(guard, where, &deadline));
  }

  template <typename T, typename Rep, typename Period>
  WaitTimeoutResult wait_timeout(MutexGuard<T>& guard, std::chrono::duration<Rep, Period> timeout,
                                 std::source_location where = std::source_location::current()) {
    return wait_for(guard, timeout, where);
  }

  // Condvar::wait_timeout_while(): wait_while() with a time limit; timed_out()
  // is true when the condition still held at the deadline.
  template <typename T, typename Rep, typename Period, typename Predicate>
  WaitTimeoutResult wait_timeout_while(MutexGuard<T>& guard, std::chrono::duration<Rep, Period> timeout,
                                       Predicate condition,
                                       std::source_location where = std::source_location::current()) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (condition(*guard)) {
      if (wait_impl(guard, where, &deadline) && condition(*guard)) return WaitTimeoutResult(true);
    }
    return WaitTimeoutResult(false);
  }

  // Condvar::notify_one(): wakes one waiting thread, if any. Need not hold
  // the mutex, but the change it announces must be made under the mutex.
  void notify_one(std::source_location where = std::source_location::current()) {
    schedule::point(schedule::Op::kNotifyOne, this, this, where);
    schedule::Quiet quiet;
    if (waiters_.load(std::memory_order_relaxed) == 0) lost_.fetch_add(1, std::memory_order_relaxed);
    cv_.notify_one();
  }

  // Condvar::notify_all(): wakes every waiting thread.
  void notify_all(std::source_location where = std::source_location::current()) {
    schedule::point(schedule::Op::kNotifyAll, this, this, where);
    schedule::Quiet quiet;
    if (waiters_.load(std::memory_order_relaxed) == 0) lost_.fetch_add(1, std::memory_order_relaxed);
    cv_.notify_all();
  }

 private:
  std::string describe_wait() const override {
    int lost = lost_.load(std::memory_order_relaxed);
    std::string s = "waits on a Condvar";
    if (lost > 0) {
      s += " (notified " + std::to_string(lost) + (lost == 1 ? " time" : " times") +
           " while no thread was waiting: those wakeups were lost)";
    } else {
      s += " (no thread has notified it)";
    }
    return s;
  }

  // For the controlled scheduler's step log.
  std::string trace_name() const override {
    std::string file = created_.file_name();
    auto slash = file.rfind('/');
    if (slash != std::string::npos) file = file.substr(slash + 1);
    return "Condvar 'created at " + file + ":" + std::to_string(created_.line()) + "'";
  }
  std::string trace_state() const override {
    int waiting = waiters_.load(std::memory_order_relaxed);
    int lost = lost_.load(std::memory_order_relaxed);
    if (waiting == 0 && lost == 0) return {};
    return std::to_string(waiting) + " waiting" +
           (lost > 0 ? ", " + std::to_string(lost) + " notification(s) lost (nobody waited)" : "");
  }

  // Returns true when the deadline passed.
  template <typename T>
  bool wait_impl(MutexGuard<T>& guard, const std::source_location& where,
                 const std::chrono::steady_clock::time_point* deadline) {
    // Under the controlled scheduler: a scheduling point, and the wait may
    // end spuriously (a choice of the scheduler), or time out early.
    schedule::point(schedule::Op::kWait, this, this, where);
    schedule::Quiet quiet;
    schedule::Describe describe(this, where);
    schedule::SpuriousAllowed spurious;
    RawMutex& raw = guard.mutex_->raw_;
#ifdef RACELINGS_NATIVE_LOCKS
    std::unique_lock<std::mutex> native(raw.mu_.native(), std::adopt_lock);
#else
    RawMutex::WaitLock held{raw, where};
    std::unique_lock<RawMutex::WaitLock> native(held, std::adopt_lock);
#endif
    bool timed_out = false;
    if (!detector::enabled()) {
      if (deadline == nullptr) {
        cv_.wait(native);
      } else {
        timed_out = cv_.wait_until(native, *deadline) == std::cv_status::timeout;
      }
      native.release();
      return timed_out;
    }
    detector::released(raw.info_, where);
    waiters_.fetch_add(1, std::memory_order_relaxed);
    {
      detector::BlockScope waiting(*this, deadline != nullptr, where);
      if (detector::stress_spurious_wakeup()) {
        // A legal spurious wakeup: release and retake the mutex without waiting.
        native.unlock();
        detector::stress_point();
        native.lock();
      } else if (deadline == nullptr) {
        cv_.wait(native);
      } else {
        timed_out = cv_.wait_until(native, *deadline) == std::cv_status::timeout;
      }
    }
    waiters_.fetch_sub(1, std::memory_order_relaxed);
    native.release();
    detector::acquired_without_order(raw.info_, detector::Mode::kExclusive, where);
    return timed_out;
  }

  // Under ThreadSanitizer the mutex is a std::mutex and the wait a plain
  // std::condition_variable one, exactly what TSan expects of a condition
  // wait; otherwise the lock word is unlocked and relocked by the wait.
#ifdef RACELINGS_NATIVE_LOCKS
  std::condition_variable cv_;
#else
  std::condition_variable_any cv_;
#endif
  // Relaxed: both only feed the lost-wakeup note in deadlock reports.
  std::atomic<int> waiters_{0};
  std::atomic<int> lost_{0};
  std::source_location created_;
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CONDVAR_H_
