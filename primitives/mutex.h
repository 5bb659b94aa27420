// mutex.h
// -----------------------------------------------------------------------------
//
// `Mutex<T>`: a mutual-exclusion lock that owns the data it protects. The data
// is reachable only through a `MutexGuard<T>`, which holds the lock for as long
// as it lives, so "forgot to lock" cannot be written.
//
// Differences from `std::mutex`: the data lives inside the mutex; the lock is
// released by the guard, never by hand; a guard destroyed while an exception
// unwinds the stack *poisons* the mutex (the data may be half-updated), and
// later `lock()` calls say so; and the deadlock detector (detector.h) sees
// every acquisition (see raw_mutex.h).
//
// This header holds `Mutex<T>`, `MutexGuard<T>` and `PoisonError<G>`.
//
// Rust equivalent: `std::sync::Mutex<T>` and `MutexGuard<'_, T>` (seeds 000, 002):
//
//   let counter = Arc::new(Mutex::new(0));          // auto counter = std::make_shared<Mutex<int>>(0);
//   let mut num = counter.lock().unwrap();          // auto num = counter->lock();
//   *num += 1;                                      // *num += 1;
//
// `lock()` returning `Err(PoisonError)` becomes `lock()` throwing
// `PoisonError<MutexGuard<T>>`; `e.into_inner()` recovers the guard, as in Rust.

#ifndef RACELINGS_PRIMITIVES_MUTEX_H_
#define RACELINGS_PRIMITIVES_MUTEX_H_

#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "primitives/raw_mutex.h"
#include "primitives/thread_annotations.h"
#include "primitives/unwinding.h"

namespace racelings {

template <typename T>
class Mutex;
class Condvar;

// PoisonError<G>: thrown when a lock was poisoned by a thread that threw while
// holding it. It carries what the operation would have returned (a guard, or
// the data), so a caller that knows how to repair the data can go on.
template <typename G>
class PoisonError : public std::runtime_error {
 public:
  explicit PoisonError(G inner)
      : std::runtime_error("poisoned lock: another task failed inside"), inner_(std::move(inner)) {}

  // PoisonError<G>::into_inner(): the guard (or data) despite the poisoning.
  // (Hands out the guard it holds: the analysis cannot follow a guard out of
  // a function whose lock it cannot name.)
  G into_inner() && NO_THREAD_SAFETY_ANALYSIS { return std::move(inner_); }
  G& get_ref() { return inner_; }

 private:
  G inner_;
};

// MutexGuard<T>: proof that the calling thread holds a Mutex<T>, and the only
// way to reach its data. Movable, not copyable; unlocks when destroyed. For
// the thread safety analysis it is a scoped capability: the mutex counts as
// held from lock() to the guard's end or its unlock() (see GUARD_ANNOTATION).
template <typename T>
class GUARD_ANNOTATION(SCOPED_CAPABILITY) MutexGuard {
 public:
  // A move hands the lock to the new guard. (For the analysis the new guard
  // holds what `other` held, which stays held until `other`'s scope ends too:
  // a late release, never a false alarm.)
  MutexGuard(MutexGuard&& other) noexcept GUARD_ANNOTATION(ACQUIRE(other))
      : mutex_(std::exchange(other.mutex_, nullptr)), exceptions_at_lock_(other.exceptions_at_lock_) {}
  MutexGuard& operator=(MutexGuard&& other) noexcept {
    if (this != &other) {
      release();
      mutex_ = std::exchange(other.mutex_, nullptr);
      exceptions_at_lock_ = other.exceptions_at_lock_;
    }
    return *this;
  }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;

  // MutexGuard<T>::~MutexGuard(): unlocks; poisons the mutex if an exception
  // is unwinding through the guard's scope.
  [[gnu::always_inline]] ~MutexGuard() GUARD_ANNOTATION(RELEASE()) { release(); }

  // MutexGuard<T>::operator*/operator->: the protected data. A reference kept
  // after the guard is gone is a data race waiting to happen.
  T& operator*() const {
    mutex_->assert_held();
    return mutex_->data();
  }
  T* operator->() const { return &**this; }

  // MutexGuard<T>::unlock(): releases the lock before the end of the scope
  // (Rust: `drop(guard)`). The guard is empty afterwards.
  void unlock() GUARD_ANNOTATION(RELEASE()) { release(); }

  // True while the guard holds the lock.
  bool owns_lock() const { return mutex_ != nullptr; }

 private:
  friend class Mutex<T>;
  friend class Condvar;

  // Takes `mutex` (blocking), and holds it from here on.
  [[gnu::always_inline]] MutexGuard(Mutex<T>* mutex, const std::source_location& where) GUARD_ANNOTATION(ACQUIRE(mutex))
      : mutex_(mutex), exceptions_at_lock_(internal::uncaught_exceptions()) {
    mutex->acquire(where);
  }
  // Adopts `mutex`, which the caller has just taken (try_lock).
  MutexGuard(Mutex<T>* mutex, std::adopt_lock_t) GUARD_ANNOTATION(REQUIRES(mutex))
      : mutex_(mutex), exceptions_at_lock_(internal::uncaught_exceptions()) {}

  // Unlocks, unless the guard is empty (moved from, or unlocked already).
  [[gnu::always_inline]] void release() {
    if (mutex_ == nullptr) return;
    if (internal::uncaught_exceptions() > exceptions_at_lock_) {
      mutex_->poisoned_.store(true, std::memory_order_relaxed);
    }
    Mutex<T>* mutex = std::exchange(mutex_, nullptr);
    mutex->assert_held();
    mutex->release_from_guard();
  }

  Mutex<T>* mutex_;
  int exceptions_at_lock_;
};

template <typename T>
class GUARD_ANNOTATION(CAPABILITY("mutex")) Mutex {
 public:
  // Mutex<T>::Mutex(): a mutex holding `value` (or T's default). The name,
  // optional, appears in deadlock reports.
  Mutex(std::source_location created = std::source_location::current())
    requires std::is_default_constructible_v<T>
      : raw_({}, created), data_() {}
  explicit Mutex(T value, std::string_view name = {}, std::source_location created = std::source_location::current())
      : raw_(name, created), data_(std::move(value)) {}

  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Mutex<T>::lock(): blocks until the calling thread holds the mutex, then
  // returns the guard. Throws PoisonError<MutexGuard<T>> if a thread threw
  // while holding it. Re-locking a mutex the thread already holds is a
  // reported deadlock (the program stops with the report).
  // Memory ordering: every write made under the lock by the previous holder
  // is visible through the new guard.
  [[nodiscard, gnu::always_inline]] MutexGuard<T> lock(std::source_location where = std::source_location::current())
      GUARD_ANNOTATION(ACQUIRE()) {
    MutexGuard<T> guard(this, where);  // Returned in place (NRVO): no moves on the fast path.
    if (poisoned_after_lock()) [[unlikely]]
      throw_poisoned(std::move(guard));
    return guard;
  }

  // Mutex<T>::try_lock(): the guard if the mutex is free, std::nullopt if
  // another thread holds it; never blocks. Throws PoisonError as lock() does.
  // (The analysis cannot follow a guard inside a std::optional: a caller's
  // guarded accesses need a guard from lock().)
  [[nodiscard]] std::optional<MutexGuard<T>> try_lock(std::source_location where = std::source_location::current()) {
    if (!try_acquire(where)) return std::nullopt;
    MutexGuard<T> guard(this, std::adopt_lock);
    if (poisoned_after_lock()) [[unlikely]]
      throw_poisoned(std::move(guard));
    return std::optional<MutexGuard<T>>(std::move(guard));
  }

  // Mutex<T>::is_poisoned(): whether a holder threw. Another thread may poison
  // the mutex right after this returns false.
  bool is_poisoned() const { return poisoned_.load(std::memory_order_relaxed); }

  // The check lock() makes: not a scheduling point of its own under the
  // controlled scheduler (the lock just was one).
  [[gnu::always_inline]] bool poisoned_after_lock() const {
    if (schedule::controlled()) [[unlikely]] {
      schedule::Quiet quiet;
      return is_poisoned();
    }
    return is_poisoned();
  }

  // Mutex<T>::clear_poison(): marks the data as repaired.
  void clear_poison() { poisoned_.store(false, std::memory_order_relaxed); }

  // Mutex<T>::into_inner(): consumes the mutex and returns the data; throws
  // PoisonError<T> (holding the data) if the mutex is poisoned. Requires that
  // no other thread can still use the mutex.
  T into_inner() && {
    MutexGuard<T> guard(this, std::source_location::current());
    if (is_poisoned()) throw PoisonError<T>(std::move(*guard));
    return std::move(*guard);
  }

 private:
  friend class MutexGuard<T>;
  friend class Condvar;

  // Out of line and cold: keeps the throw out of the inlined lock().
  [[noreturn, gnu::noinline, gnu::cold]] static void throw_poisoned(MutexGuard<T>&& guard) {
    throw PoisonError<MutexGuard<T>>(std::move(guard));
  }

  // The lock and unlock underneath the guards.
  [[gnu::always_inline]] void acquire(const std::source_location& where) GUARD_LOCK_FUNCTION(ACQUIRE()) {
    raw_.lock(where);
  }
  bool try_acquire(const std::source_location& where) GUARD_LOCK_FUNCTION(TRY_ACQUIRE(true)) {
    return raw_.try_lock(where);
  }
  [[gnu::always_inline]] void release_from_guard() GUARD_LOCK_FUNCTION(RELEASE()) { raw_.unlock(); }

  // For a guard: a guard that is not empty holds its mutex, which is what
  // assert_held() tells the analysis before the guard reaches the data.
  void assert_held() const GUARD_ANNOTATION(ASSERT_CAPABILITY(this)) {}
  T& data() GUARD_ANNOTATION(REQUIRES(this)) { return data_; }

  RawMutex raw_;
  // Relaxed: poisoning is set and read under the lock, or as a hint.
  std::atomic<bool> poisoned_{false};
  T data_ GUARD_ANNOTATION(GUARDED_BY(this));
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_MUTEX_H_
