// rwlock.h
// -----------------------------------------------------------------------------
//
// `RwLock<T>`: a reader-writer lock that owns its data. Any number of threads
// may read at once through a `ReadGuard<T>` (const access); one thread at a
// time writes through a `WriteGuard<T>`, with no readers.
//
// Differences from `std::shared_mutex`: the data lives inside; guards are the
// only way in; a writer that throws poisons the lock; and the deadlock
// detector sees every acquisition. In particular a thread that holds a read
// guard and asks for a write guard (an "upgrade", which can never succeed)
// is reported at once instead of hanging.
//
// This header holds `RwLock<T>`, `ReadGuard<T>` and `WriteGuard<T>`.
//
// Rust equivalent: `std::sync::RwLock<T>` (seed 002):
//
//   let values = data.read().unwrap();              // auto values = data->read();
//   let mut values = data.write().unwrap();         // auto values = data->write();
//   values.push(4);                                 // values->push_back(4);

#ifndef RACELINGS_PRIMITIVES_RWLOCK_H_
#define RACELINGS_PRIMITIVES_RWLOCK_H_

#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <source_location>
#include <string_view>
#include <utility>

#include "primitives/detector.h"
#include "primitives/mutex.h"
#include "primitives/schedule/schedule.h"
#include "primitives/thread_annotations.h"
#include "primitives/unwinding.h"

namespace racelings {

template <typename T>
class RwLock;

// ReadGuard<T>: shared, read-only access to an RwLock's data. For the thread
// safety analysis a scoped capability, as MutexGuard<T> is (mutex.h).
template <typename T>
class GUARD_ANNOTATION(SCOPED_CAPABILITY) ReadGuard {
 public:
  ReadGuard(ReadGuard&& other) noexcept GUARD_ANNOTATION(ACQUIRE_SHARED(other))
      : lock_(std::exchange(other.lock_, nullptr)) {}
  ReadGuard& operator=(ReadGuard&& other) noexcept {
    if (this != &other) {
      release();
      lock_ = std::exchange(other.lock_, nullptr);
    }
    return *this;
  }
  ReadGuard(const ReadGuard&) = delete;
  ReadGuard& operator=(const ReadGuard&) = delete;
  ~ReadGuard() GUARD_ANNOTATION(RELEASE()) { release(); }

  const T& operator*() const {
    lock_->assert_reader_held();
    return lock_->data_for_reader();
  }
  const T* operator->() const { return &**this; }

  // ReadGuard<T>::unlock(): gives up read access early (Rust: `drop(guard)`).
  void unlock() GUARD_ANNOTATION(RELEASE()) { release(); }

 private:
  friend class RwLock<T>;
  // Adopts the read lock the caller has just taken.
  ReadGuard(RwLock<T>* lock, std::adopt_lock_t) GUARD_ANNOTATION(REQUIRES_SHARED(lock)) : lock_(lock) {}
  void release() {
    if (lock_ == nullptr) return;
    RwLock<T>* lock = std::exchange(lock_, nullptr);
    lock->assert_reader_held();
    lock->unlock_shared();
  }

  RwLock<T>* lock_;
};

// WriteGuard<T>: exclusive access to an RwLock's data; a scoped capability.
template <typename T>
class GUARD_ANNOTATION(SCOPED_CAPABILITY) WriteGuard {
 public:
  WriteGuard(WriteGuard&& other) noexcept GUARD_ANNOTATION(ACQUIRE(other))
      : lock_(std::exchange(other.lock_, nullptr)), exceptions_at_lock_(other.exceptions_at_lock_) {}
  WriteGuard& operator=(WriteGuard&& other) noexcept {
    if (this != &other) {
      release();
      lock_ = std::exchange(other.lock_, nullptr);
      exceptions_at_lock_ = other.exceptions_at_lock_;
    }
    return *this;
  }
  WriteGuard(const WriteGuard&) = delete;
  WriteGuard& operator=(const WriteGuard&) = delete;
  // Poisons the lock if an exception is unwinding through the guard's scope.
  ~WriteGuard() GUARD_ANNOTATION(RELEASE()) { release(); }

  T& operator*() const {
    lock_->assert_writer_held();
    return lock_->data_for_writer();
  }
  T* operator->() const { return &**this; }

  // WriteGuard<T>::unlock(): gives up write access early.
  void unlock() GUARD_ANNOTATION(RELEASE()) { release(); }

 private:
  friend class RwLock<T>;
  // Adopts the write lock the caller has just taken.
  WriteGuard(RwLock<T>* lock, std::adopt_lock_t) GUARD_ANNOTATION(REQUIRES(lock))
      : lock_(lock), exceptions_at_lock_(internal::uncaught_exceptions()) {}
  void release() {
    if (lock_ == nullptr) return;
    if (internal::uncaught_exceptions() > exceptions_at_lock_) lock_->poisoned_.store(true, std::memory_order_relaxed);
    RwLock<T>* lock = std::exchange(lock_, nullptr);
    lock->assert_writer_held();
    lock->unlock_exclusive();
  }

  RwLock<T>* lock_;
  int exceptions_at_lock_;
};

template <typename T>
class GUARD_ANNOTATION(CAPABILITY("rwlock")) RwLock {
 public:
  RwLock(std::source_location created = std::source_location::current())
    requires std::is_default_constructible_v<T>
      : info_(detector::LockKind::kRwLock, {}, created), data_() {}
  explicit RwLock(T value, std::string_view name = {}, std::source_location created = std::source_location::current())
      : info_(detector::LockKind::kRwLock, name, created), data_(std::move(value)) {}
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  // RwLock<T>::read(): blocks until no writer holds the lock, then returns a
  // read guard. Several readers may hold the lock at once. Throws
  // PoisonError<ReadGuard<T>> if a writer threw.
  // Memory ordering: everything the last writer wrote is visible.
  [[nodiscard]] ReadGuard<T> read(std::source_location where = std::source_location::current())
      GUARD_ANNOTATION(ACQUIRE_SHARED()) {
    lock_shared(where);
    ReadGuard<T> guard(this, std::adopt_lock);
    if (poisoned_after_lock()) throw PoisonError<ReadGuard<T>>(std::move(guard));
    return guard;
  }

  // RwLock<T>::write(): blocks until no other thread reads or writes, then
  // returns a write guard. Asking for it while this thread reads is a
  // reported deadlock. Throws PoisonError<WriteGuard<T>> if a writer threw.
  [[nodiscard]] WriteGuard<T> write(std::source_location where = std::source_location::current())
      GUARD_ANNOTATION(ACQUIRE()) {
    lock_exclusive(where);
    WriteGuard<T> guard(this, std::adopt_lock);
    if (poisoned_after_lock()) throw PoisonError<WriteGuard<T>>(std::move(guard));
    return guard;
  }

  // RwLock<T>::try_read() / try_write(): never block; std::nullopt when the
  // lock is not available right now.
  [[nodiscard]] std::optional<ReadGuard<T>> try_read(std::source_location where = std::source_location::current()) {
    if (!try_lock_shared(where)) return std::nullopt;
    ReadGuard<T> guard(this, std::adopt_lock);
    if (is_poisoned()) throw PoisonError<ReadGuard<T>>(std::move(guard));
    return std::optional<ReadGuard<T>>(std::move(guard));
  }
  [[nodiscard]] std::optional<WriteGuard<T>> try_write(std::source_location where = std::source_location::current()) {
    if (!try_lock_exclusive(where)) return std::nullopt;
    WriteGuard<T> guard(this, std::adopt_lock);
    if (is_poisoned()) throw PoisonError<WriteGuard<T>>(std::move(guard));
    return std::optional<WriteGuard<T>>(std::move(guard));
  }

  bool is_poisoned() const { return poisoned_.load(std::memory_order_relaxed); }
  void clear_poison() { poisoned_.store(false, std::memory_order_relaxed); }

  // RwLock<T>::into_inner(): consumes the lock and returns the data; throws
  // PoisonError<T> if poisoned.
  T into_inner() && {
    std::unique_lock<std::shared_mutex> lock(mu_);
    assert_writer_held();  // Held through `lock`, which the analysis does not see.
    if (is_poisoned()) throw PoisonError<T>(std::move(data_));
    return std::move(data_);
  }

 private:
  friend class ReadGuard<T>;
  friend class WriteGuard<T>;

  // Not a scheduling point of its own (the lock just was one).
  bool poisoned_after_lock() const {
    schedule::Quiet quiet;
    return is_poisoned();
  }

  // Under the controlled scheduler every acquisition is a scheduling point
  // and every release one after it; the std::shared_mutex calls inside are
  // the scheduler's mechanics (schedule/schedule.h).
  // The lock and unlock underneath the guards: std::shared_mutex has no
  // annotations, so these say what they do.
  bool try_lock_shared(const std::source_location& where) GUARD_ANNOTATION(TRY_ACQUIRE_SHARED(true)) {
    schedule::point(schedule::Op::kReadLock, this, &info_, where);
    schedule::Quiet quiet;
    if (!mu_.try_lock_shared()) return false;
    if (detector::enabled()) detector::acquired_without_order(info_, detector::Mode::kShared, where);
    return true;
  }
  bool try_lock_exclusive(const std::source_location& where) GUARD_ANNOTATION(TRY_ACQUIRE(true)) {
    schedule::point(schedule::Op::kWriteLock, this, &info_, where);
    schedule::Quiet quiet;
    if (!mu_.try_lock()) return false;
    if (detector::enabled()) detector::acquired_without_order(info_, detector::Mode::kExclusive, where);
    return true;
  }
  void lock_shared(const std::source_location& where) GUARD_ANNOTATION(ACQUIRE_SHARED()) {
    schedule::point(schedule::Op::kReadLock, this, &info_, where);
    schedule::Quiet quiet;
    schedule::Describe describe(&info_, where);
    if (!detector::enabled()) {
      mu_.lock_shared();
      return;
    }
    detector::before_acquire(info_, detector::Mode::kShared, where);
    // Nested: a blocking lock, registered first (see detector::holds_any_lock).
    if (detector::holds_any_lock() || !mu_.try_lock_shared()) {
      detector::BlockScope waiting(info_, detector::Mode::kShared, where);
      mu_.lock_shared();
    }
    detector::acquired(info_, detector::Mode::kShared, where);
  }
  void lock_exclusive(const std::source_location& where) GUARD_ANNOTATION(ACQUIRE()) {
    schedule::point(schedule::Op::kWriteLock, this, &info_, where);
    schedule::Quiet quiet;
    schedule::Describe describe(&info_, where);
    if (!detector::enabled()) {
      mu_.lock();
      return;
    }
    detector::before_acquire(info_, detector::Mode::kExclusive, where);
    // Nested: a blocking lock, registered first (see detector::holds_any_lock).
    if (detector::holds_any_lock() || !mu_.try_lock()) {
      detector::BlockScope waiting(info_, detector::Mode::kExclusive, where);
      mu_.lock();
    }
    detector::acquired(info_, detector::Mode::kExclusive, where);
  }
  void unlock_shared() GUARD_ANNOTATION(RELEASE_SHARED()) {
    schedule::finish_step();  // the step log shows the lock held first
    {
      schedule::Quiet quiet;
      if (detector::enabled()) detector::released(info_, std::source_location::current());
      mu_.unlock_shared();
    }
    schedule::point_after(schedule::Op::kRwUnlock, this, &info_);
  }
  void unlock_exclusive() GUARD_ANNOTATION(RELEASE()) {
    schedule::finish_step();  // the step log shows the lock held first
    {
      schedule::Quiet quiet;
      if (detector::enabled()) detector::released(info_, std::source_location::current());
      mu_.unlock();
    }
    schedule::point_after(schedule::Op::kRwUnlock, this, &info_);
  }

  // For the guards: a guard that is not empty holds the lock (shared or
  // exclusive), which is what the assertions tell the analysis.
  void assert_reader_held() const GUARD_ANNOTATION(ASSERT_SHARED_CAPABILITY(this)) {}
  void assert_writer_held() const GUARD_ANNOTATION(ASSERT_CAPABILITY(this)) {}
  const T& data_for_reader() const GUARD_ANNOTATION(REQUIRES_SHARED(this)) { return data_; }
  T& data_for_writer() GUARD_ANNOTATION(REQUIRES(this)) { return data_; }

  std::shared_mutex mu_;
  detector::LockInfo info_;
  std::atomic<bool> poisoned_{false};
  T data_ GUARD_ANNOTATION(GUARDED_BY(this));
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_RWLOCK_H_
