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
#include <optional>
#include <shared_mutex>
#include <source_location>
#include <string_view>
#include <utility>

#include "primitives/detector.h"
#include "primitives/mutex.h"
#include "primitives/schedule/schedule.h"
#include "primitives/unwinding.h"
#include "primitives/thread_annotations.h"

namespace racelings {

template <typename T>
class RwLock;

// ReadGuard<T>: shared, read-only access to an RwLock's data.
template <typename T>
class ReadGuard {
 public:
  ReadGuard(ReadGuard&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
  ReadGuard& operator=(ReadGuard&& other) noexcept {
    if (this != &other) {
      release();
      lock_ = std::exchange(other.lock_, nullptr);
    }
    return *this;
  }
  ReadGuard(const ReadGuard&) = delete;
  ReadGuard& operator=(const ReadGuard&) = delete;
  ~ReadGuard() { release(); }

  const T& operator*() const { return lock_->data_unchecked(); }
  const T* operator->() const { return &lock_->data_unchecked(); }

  // ReadGuard<T>::unlock(): gives up read access early (Rust: `drop(guard)`).
  void unlock() { release(); }

 private:
  friend class RwLock<T>;
  explicit ReadGuard(RwLock<T>* lock) : lock_(lock) {}
  void release() {
    if (lock_ != nullptr) std::exchange(lock_, nullptr)->unlock_shared();
  }

  RwLock<T>* lock_;
};

// WriteGuard<T>: exclusive access to an RwLock's data.
template <typename T>
class WriteGuard {
 public:
  WriteGuard(WriteGuard&& other) noexcept
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
  ~WriteGuard() { release(); }

  T& operator*() const { return lock_->data_unchecked(); }
  T* operator->() const { return &lock_->data_unchecked(); }

  // WriteGuard<T>::unlock(): gives up write access early.
  void unlock() { release(); }

 private:
  friend class RwLock<T>;
  explicit WriteGuard(RwLock<T>* lock) : lock_(lock), exceptions_at_lock_(internal::uncaught_exceptions()) {}
  void release() {
    if (lock_ == nullptr) return;
    if (internal::uncaught_exceptions() > exceptions_at_lock_) lock_->poisoned_.store(true, std::memory_order_relaxed);
    std::exchange(lock_, nullptr)->unlock_exclusive();
  }

  RwLock<T>* lock_;
  int exceptions_at_lock_;
};

template <typename T>
class CAPABILITY("rwlock") RwLock {
 public:
  RwLock(std::source_location created = std::source_location::current())
    requires std::is_default_constructible_v<T>
      : info_(detector::LockKind::kRwLock, {}, created), data_() {}
  explicit RwLock(T value, std::string_view name = {},
                  std::source_location created = std::source_location::current())
      : info_(detector::LockKind::kRwLock, name, created), data_(std::move(value)) {}
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  // RwLock<T>::read(): blocks until no writer holds the lock, then returns a
  // read guard. Several readers may hold the lock at once. Throws
  // PoisonError<ReadGuard<T>> if a writer threw.
  // Memory ordering: everything the last writer wrote is visible.
  [[nodiscard]] ReadGuard<T> read(std::source_location where = std::source_location::current()) {
    lock_shared(where);
    ReadGuard<T> guard(this);
    if (poisoned_after_lock()) throw PoisonError<ReadGuard<T>>(std::move(guard));
    return guard;
  }

  // RwLock<T>::write(): blocks until no other thread reads or writes, then
  // returns a write guard. Asking for it while this thread reads is a
  // reported deadlock. Throws PoisonError<WriteGuard<T>> if a writer threw.
  [[nodiscard]] WriteGuard<T> write(std::source_location where = std::source_location::current()) {
    lock_exclusive(where);
    WriteGuard<T> guard(this);
    if (poisoned_after_lock()) throw PoisonError<WriteGuard<T>>(std::move(guard));
    return guard;
  }

  // RwLock<T>::try_read() / try_write(): never block; std::nullopt when the
  // lock is not available right now.
  [[nodiscard]] std::optional<ReadGuard<T>> try_read(std::source_location where = std::source_location::current()) {
    schedule::point(schedule::Op::kReadLock, this, &info_, where);
    schedule::Quiet quiet;
    if (!mu_.try_lock_shared()) return std::nullopt;
    if (detector::enabled()) detector::acquired_without_order(info_, detector::Mode::kShared, where);
    ReadGuard<T> guard(this);
    if (is_poisoned()) throw PoisonError<ReadGuard<T>>(std::move(guard));
    return guard;
  }
  [[nodiscard]] std::optional<WriteGuard<T>> try_write(std::source_location where = std::source_location::current()) {
    schedule::point(schedule::Op::kWriteLock, this, &info_, where);
    schedule::Quiet quiet;
    if (!mu_.try_lock()) return std::nullopt;
    if (detector::enabled()) detector::acquired_without_order(info_, detector::Mode::kExclusive, where);
    WriteGuard<T> guard(this);
    if (is_poisoned()) throw PoisonError<WriteGuard<T>>(std::move(guard));
    return guard;
  }

  bool is_poisoned() const { return poisoned_.load(std::memory_order_relaxed); }
  void clear_poison() { poisoned_.store(false, std::memory_order_relaxed); }

  // RwLock<T>::into_inner(): consumes the lock and returns the data; throws
  // PoisonError<T> if poisoned.
  T into_inner() && {
    std::unique_lock<std::shared_mutex> lock(mu_);
    if (is_poisoned()) throw PoisonError<T>(std::move(data_unchecked()));
    return std::move(data_unchecked());
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
  void lock_shared(const std::source_location& where) {
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
  void lock_exclusive(const std::source_location& where) {
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
  void unlock_shared() {
    schedule::finish_step();  // the step log shows the lock held first
    {
      schedule::Quiet quiet;
      if (detector::enabled()) detector::released(info_, std::source_location::current());
      mu_.unlock_shared();
    }
    schedule::point_after(schedule::Op::kRwUnlock, this, &info_);
  }
  void unlock_exclusive() {
    schedule::finish_step();  // the step log shows the lock held first
    {
      schedule::Quiet quiet;
      if (detector::enabled()) detector::released(info_, std::source_location::current());
      mu_.unlock();
    }
    schedule::point_after(schedule::Op::kRwUnlock, this, &info_);
  }

  // Only guards call this, and they prove the lock is held (shared or
  // exclusive); the analysis cannot follow the guard objects.
  T& data_unchecked() NO_THREAD_SAFETY_ANALYSIS { return data_; }

  std::shared_mutex mu_;
  detector::LockInfo info_;
  std::atomic<bool> poisoned_{false};
  T data_ GUARDED_BY(this);
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_RWLOCK_H_
