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
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "primitives/raw_mutex.h"
#include "primitives/unwinding.h"
#include "primitives/thread_annotations.h"

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
  G into_inner() && { return std::move(inner_); }
  G& get_ref() { return inner_; }

 private:
  G inner_;
};

// MutexGuard<T>: proof that the calling thread holds a Mutex<T>, and the only
// way to reach its data. Movable, not copyable; unlocks when destroyed.
template <typename T>
class MutexGuard {
 public:
  MutexGuard(MutexGuard&& other) noexcept
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
  [[gnu::always_inline]] ~MutexGuard() { release(); }

  // MutexGuard<T>::operator*/operator->: the protected data. A reference kept
  // after the guard is gone is a data race waiting to happen.
  T& operator*() const { return mutex_->data_unchecked(); }
  T* operator->() const { return &mutex_->data_unchecked(); }

  // MutexGuard<T>::unlock(): releases the lock before the end of the scope
  // (Rust: `drop(guard)`). The guard is empty afterwards.
  void unlock() { release(); }

  // True while the guard holds the lock.
  bool owns_lock() const { return mutex_ != nullptr; }

 private:
  friend class Mutex<T>;
  friend class Condvar;

  explicit MutexGuard(Mutex<T>* mutex) : mutex_(mutex), exceptions_at_lock_(internal::uncaught_exceptions()) {}

  // The analysis cannot tie this guard object to the mutex it locked; the
  // guard holds the lock by construction, so releasing it here is correct.
  [[gnu::always_inline]] void release() NO_THREAD_SAFETY_ANALYSIS {
    if (mutex_ == nullptr) return;
    if (internal::uncaught_exceptions() > exceptions_at_lock_) {
      mutex_->poisoned_.store(true, std::memory_order_relaxed);
    }
    std::exchange(mutex_, nullptr)->raw_.unlock();
  }

  Mutex<T>* mutex_;
  int exceptions_at_lock_;
};

template <typename T>
class Mutex {
 public:
  // Mutex<T>::Mutex(): a mutex holding `value` (or T's default). The name,
  // optional, appears in deadlock reports.
  Mutex(std::source_location created = std::source_location::current())
    requires std::is_default_constructible_v<T>
      : raw_({}, created), data_() {}
  explicit Mutex(T value, std::string_view name = {},
                 std::source_location created = std::source_location::current())
      : raw_(name, created), data_(std::move(value)) {}

  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Mutex<T>::lock(): blocks until the calling thread holds the mutex, then
  // returns the guard. Throws PoisonError<MutexGuard<T>> if a thread threw
  // while holding it. Re-locking a mutex the thread already holds is a
  // reported deadlock (the program stops with the report).
  // Memory ordering: every write made under the lock by the previous holder
  // is visible through the new guard.
  // (The analysis cannot see that the returned guard owns the lock.)
  [[nodiscard, gnu::always_inline]] MutexGuard<T> lock(std::source_location where = std::source_location::current())
      NO_THREAD_SAFETY_ANALYSIS {
    raw_.lock(where);
    MutexGuard<T> guard(this);  // Returned in place (NRVO): no moves on the fast path.
    if (poisoned_after_lock()) [[unlikely]] throw_poisoned(std::move(guard));
    return guard;
  }

  // Mutex<T>::try_lock(): the guard if the mutex is free, std::nullopt if
  // another thread holds it; never blocks. Throws PoisonError as lock() does.
  [[nodiscard]] std::optional<MutexGuard<T>> try_lock(std::source_location where = std::source_location::current())
      NO_THREAD_SAFETY_ANALYSIS {
    if (!raw_.try_lock(where)) return std::nullopt;
    std::optional<MutexGuard<T>> guard(MutexGuard<T>(this));
    if (poisoned_after_lock()) [[unlikely]] throw_poisoned(std::move(*guard));
    return guard;
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
    LockGuard guard(raw_);
    if (is_poisoned()) throw PoisonError<T>(std::move(data_));
    return std::move(data_);
  }

 private:
  friend class MutexGuard<T>;
  friend class Condvar;

  // Out of line and cold: keeps the throw out of the inlined lock().
  [[noreturn, gnu::noinline, gnu::cold]] static void throw_poisoned(MutexGuard<T>&& guard) {
    throw PoisonError<MutexGuard<T>>(std::move(guard));
  }

  // Only a MutexGuard, which proves the lock is held, calls this; the
  // analysis cannot see through the guard object, hence the escape hatch.
  T& data_unchecked() NO_THREAD_SAFETY_ANALYSIS { return data_; }

  RawMutex raw_;
  // Relaxed: poisoning is set and read under the lock, or as a hint.
  std::atomic<bool> poisoned_{false};
  T data_ GUARDED_BY(raw_);
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_MUTEX_H_
