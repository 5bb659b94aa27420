// raw_mutex.h
// -----------------------------------------------------------------------------
//
// `RawMutex`: a mutual-exclusion lock that does not own data, and `LockGuard`,
// its RAII holder. Use it where the data lives beside the lock, in a class
// whose members are marked `GUARDED_BY(mu)`: Clang's `-Wthread-safety` then
// rejects any access made without the lock. Prefer `Mutex<T>` (mutex.h),
// which makes the data unreachable without a guard.
//
// Differences from `std::mutex`: every acquisition is seen by the deadlock
// detector (detector.h), so re-locking, lock-order inversions and wait cycles
// are reported instead of hanging; the lock has a name for reports; with
// RACELINGS_STRESS set, lock and unlock are schedule-stress points; and under
// the controlled scheduler (schedule/schedule.h) they are scheduling points.
// The lock itself is a futex word (lock_word.h), locked and unlocked inline:
// with detection off as fast as std::mutex, and with detection on, a lock
// taken while no other is held costs a few stores more. Under
// ThreadSanitizer it is a std::mutex, as TSan expects.
//
// Rust equivalent: `std::sync::Mutex<()>` used as a plain lock; the pattern
// "lock beside data" has no direct equivalent in safe Rust.
//
//   class Account {
//    public:
//     void deposit(int amount) EXCLUDES(mu_) {
//       LockGuard guard(mu_);
//       balance_ += amount;
//     }
//    private:
//     RawMutex mu_{"account"};
//     int balance_ GUARDED_BY(mu_) = 0;
//   };

#ifndef RACELINGS_PRIMITIVES_RAW_MUTEX_H_
#define RACELINGS_PRIMITIVES_RAW_MUTEX_H_

#include <pthread.h>

#include <mutex>
#include <source_location>
#include <string_view>

#include "primitives/detector.h"
#include "primitives/lock_word.h"
#include "primitives/schedule/schedule.h"
#include "primitives/thread_annotations.h"

namespace racelings {

class Condvar;

class CAPABILITY("mutex") RawMutex {
 public:
  // RawMutex::RawMutex(): an unlocked mutex. The name (optional) appears in
  // deadlock reports; without one, reports name the place of construction.
  explicit RawMutex(std::string_view name = {}, std::source_location created = std::source_location::current())
      : info_(detector::LockKind::kMutex, name, created) {}

  // RawMutex::~RawMutex(): destroying a locked mutex is reported as misuse.
  ~RawMutex() {
    if (detector::enabled() && !mu_.try_lock()) {
      detector::report_mutex_misuse(info_, "destroy of a locked mutex", std::source_location::current());
      return;
    }
    if (detector::enabled()) mu_.unlock();
#ifdef RACELINGS_NATIVE_LOCKS
    // libstdc++'s std::mutex has a trivial destructor, so ThreadSanitizer
    // never learns that this mutex is gone: a new mutex later placed at the
    // same stack address inherits its lock-order history, and TSan reports a
    // lock-order inversion that never happened. Destroying the (unlocked)
    // pthread mutex tells it; mu_ is never used again.
    pthread_mutex_destroy(mu_.native().native_handle());
#endif
  }

  RawMutex(const RawMutex&) = delete;
  RawMutex& operator=(const RawMutex&) = delete;

  // RawMutex::lock(): blocks until the calling thread holds the mutex.
  // Locking a mutex the thread already holds is a reported deadlock.
  // Memory ordering: everything written before the last unlock() is visible
  // after lock() returns.
  // (Forced inline: the fast path is two checks and one compare-exchange,
  // and clang's inliner otherwise keeps it out of line in callers' loops.)
  [[gnu::always_inline]] void lock(std::source_location where = std::source_location::current()) ACQUIRE() {
    if (schedule::controlled()) [[unlikely]] {
      lock_controlled(where);
    } else if (detector::enabled()) {
      // The common case inline: no other lock held, and this one free.
      if (detector::lone_acquire() && mu_.try_lock()) [[likely]] {
        detector::acquired(info_, detector::Mode::kExclusive, where);
      } else {
        lock_watched(where);
      }
    } else {
      mu_.lock();
    }
  }

  // RawMutex::try_lock(): takes the mutex if it is free, never blocks.
  [[nodiscard, gnu::always_inline]] bool try_lock(std::source_location where = std::source_location::current())
      TRY_ACQUIRE(true) {
    schedule::point(schedule::Op::kTryLock, this, &info_, where);
    schedule::Quiet quiet;
    if (!mu_.try_lock()) return false;
    if (detector::enabled()) detector::acquired_without_order(info_, detector::Mode::kExclusive, where);
    return true;
  }

  // RawMutex::unlock(): releases the mutex; the calling thread must hold it
  // (unlocking a mutex the thread does not hold is reported as misuse).
  [[gnu::always_inline]] void unlock(std::source_location where = std::source_location::current()) RELEASE() {
    if (schedule::controlled()) [[unlikely]] {
      unlock_controlled(where);
      return;
    }
    if (detector::enabled()) detector::released(info_, where);
    mu_.unlock();
  }

#ifndef RACELINGS_NATIVE_LOCKS
  // The mutex as Condvar's wait releases and retakes it (with
  // std::condition_variable_any): through acquire() and release(), so that
  // the controlled scheduler sees the retake. Under ThreadSanitizer Condvar
  // waits on the std::mutex itself, with std::condition_variable.
  struct WaitLock {
    RawMutex& raw;
    const std::source_location& where;
    void lock() ACQUIRE(raw) { raw.acquire(where); }
    void unlock() RELEASE(raw) { raw.release(); }
  };
#endif

  // For the thread safety analysis: states that the caller holds the mutex.
  void assert_held() const ASSERT_CAPABILITY(this) {}

  const detector::LockInfo& info() const { return info_; }

 private:
  friend class Condvar;

  // lock() as the deadlock detector sees it. Out of line, so that lock()
  // itself is small enough to inline: with detection off it is two checks
  // and LockWord::lock().
  [[gnu::noinline]] void lock_watched(const std::source_location& where) ACQUIRE() {
    detector::before_acquire(info_, detector::Mode::kExclusive, where);
    // Nested: a blocking lock, registered first (see detector::holds_any_lock).
    if (detector::holds_any_lock() || !mu_.try_lock()) {
      detector::BlockScope waiting(info_, detector::Mode::kExclusive, where);
      acquire(where);
    }
    detector::acquired(info_, detector::Mode::kExclusive, where);
  }

  // Under the controlled scheduler: a scheduling point before the lock, and
  // one after the unlock, both logged as this mutex at the caller's line;
  // the lock word's operations inside are the scheduler's mechanics only.
  [[gnu::noinline]] void lock_controlled(const std::source_location& where) ACQUIRE() {
    schedule::point(schedule::Op::kLock, this, &info_, where);
    schedule::Quiet quiet;
    schedule::Describe describe(&info_, where);
    if (detector::enabled()) {
      lock_watched(where);
    } else {
      acquire(where);
    }
  }
  [[gnu::noinline]] void unlock_controlled(const std::source_location& where) RELEASE() {
    schedule::finish_step();  // the step log shows the lock held first
    {
      schedule::Quiet quiet;
      if (detector::enabled()) detector::released(info_, where);
      release();
    }
    schedule::point_after(schedule::Op::kUnlock, this, &info_, where);
  }

  // The lock word's blocking lock and its unlock, as the controlled
  // scheduler needs them: a thread it runs must never sleep on the word
  // (the holder could not run to let go), so it waits through the
  // scheduler, and every unlock signals it. (Under ThreadSanitizer the word
  // is a std::mutex, which the scheduler's interposition handles.)
  void acquire([[maybe_unused]] const std::source_location& where) ACQUIRE() {
#ifndef RACELINGS_NATIVE_LOCKS
    if (schedule::managed()) {
      while (!mu_.try_lock()) schedule::block_on(&mu_, schedule::Op::kLock, &info_, schedule::kNoDeadline, where);
      return;
    }
#endif
    mu_.lock();
  }
  void release() RELEASE() {
    mu_.unlock();
#ifndef RACELINGS_NATIVE_LOCKS
    if (schedule::controlled()) schedule::signal_all(&mu_);
#endif
  }

  internal::LockWord mu_;
  detector::LockInfo info_;
};

// LockGuard: holds a RawMutex for its own lifetime.
//   { LockGuard guard(mu); ...; }  // unlocked here
class SCOPED_CAPABILITY LockGuard {
 public:
  explicit LockGuard(RawMutex& mu, std::source_location where = std::source_location::current()) ACQUIRE(mu) : mu_(mu) {
    mu_.lock(where);
  }
  ~LockGuard() RELEASE() { mu_.unlock(); }

  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  RawMutex& mu_;
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_RAW_MUTEX_H_
