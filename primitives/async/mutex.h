// mutex.h
// -----------------------------------------------------------------------------
//
// `async::Mutex<T>`: a lock for tasks. `co_await m.lock()` suspends the task
// (never the thread) until it holds the lock, and gives a `MutexGuard<T>`, the
// only way to reach the data; the guard unlocks when destroyed and may be held
// across other `co_await`s, which a thread mutex must never be (see below).
// The lock is fair: tasks get it in the order they asked (FIFO hand-off), so
// a task that unlocks and locks again queues behind the waiters.
//
// Deadlocks: a task that waits for a lock held by a task that (through a chain
// of such waits) waits for a lock it holds closes a cycle; the runtime reports
// it at once (`WARNING: racelings: deadlock (cycle of waiting tasks)`), with
// each task's co_await line and the locks it holds, and exits with code 66. A
// task that locks a Mutex it already holds is reported the same way.
//
// Why not racelings::Mutex (or std::mutex) in a task: its guard belongs to the
// *thread*. Held across a co_await, the task may resume on another worker and
// unlock from there (reported as mutex misuse), and any other task that locks
// it blocks its worker thread; on a current-thread runtime that thread is the
// only one, so the program stops (reported by the thread detector as a thread
// re-locking a mutex it holds). With std::mutex nothing is reported: only the
// test watchdog ends the hang.
//
// This header holds `Mutex<T>` and `MutexGuard<T>` (in racelings::async).
//
// Rust equivalent: `tokio::sync::Mutex<T>`:
//
//   let data = Arc::new(Mutex::new(0));             // auto data = std::make_shared<async::Mutex<int>>(0);
//   let mut g = data.lock().await;                  // auto g = co_await data->lock();
//   *g += 1;                                        // *g += 1;
//   sleep(ms(1)).await; // still holding g          // co_await sleep_for(1ms);  // still holding g

#ifndef RACELINGS_PRIMITIVES_ASYNC_MUTEX_H_
#define RACELINGS_PRIMITIVES_ASYNC_MUTEX_H_

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>

#include "primitives/async/core.h"
#include "primitives/detector.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace async {
namespace internal {

// The lock without the data. Every state change happens under one mutex
// shared by all async mutexes (the "lock table", mutex.cc), which also guards
// each task's `waiting_for_mutex`: the cycle search then reads a consistent
// picture. Wakes happen after that mutex is released.
class MutexCore {
 public:
  MutexCore(std::string_view name, std::source_location created);
  ~MutexCore();
  MutexCore(const MutexCore&) = delete;
  MutexCore& operator=(const MutexCore&) = delete;

  // A task waiting in lock(); lives in the lock awaitable, in the task's frame.
  class Waiter : public detector::Waitable {
   public:
    explicit Waiter(MutexCore& m) : m_(m) {}
    std::string describe_wait() const override;

   protected:
    friend class MutexCore;
    MutexCore& m_;
    TaskHeader* task_ = nullptr;
    Waiter* next_ = nullptr;
    std::source_location where_{};
    bool queued_ GUARDED_BY(lock_table_mu) = false;
    bool granted_ GUARDED_BY(lock_table_mu) = false;  // The lock was handed to us.
  };

  // Takes the lock if it is free and nobody queues for it (fairness).
  bool try_acquire(TaskHeader* who, const std::source_location& where);
  // Takes the lock, or queues `w` and returns true (suspend). Reports a cycle
  // of waiting tasks, or a task re-locking its own lock, and exits.
  bool acquire_or_queue(Waiter& w, TaskHeader& me, std::coroutine_handle<> h, const std::source_location& where);
  // The waiting frame is destroyed (the task was cancelled): leave the queue,
  // or pass on a lock that was already handed over.
  void abandon(Waiter& w) noexcept;
  // Unlocks; the first waiter (if any) gets the lock and is woken.
  void unlock() noexcept;

  // "async Mutex M3 'account'"
  std::string describe() const;
  uint64_t holder_id() const noexcept { return holder_id_.load(std::memory_order_relaxed); }

 private:
  friend std::string async_mutex_holdings(const TaskHeader& t);
  friend std::string holdings_locked(const TaskHeader& t);

  // What a release leaves to do once lock_table_mu is unlocked: drop the old
  // holder's reference (it may be the task's last) and wake the new holder.
  struct Handover {
    TaskRef old_holder;
    TaskRef new_holder;  // Empty when nobody was waiting.
  };

  void set_holder_locked(TaskHeader* who, const std::source_location& where) REQUIRES(lock_table_mu);
  // The holder lets go: the first waiter gets the lock, or it is free.
  Handover release_locked() REQUIRES(lock_table_mu);

  detector::LockInfo info_;
  bool locked_ GUARDED_BY(lock_table_mu) = false;
  Waiter* head_ GUARDED_BY(lock_table_mu) = nullptr;  // FIFO of waiters.
  Waiter* tail_ GUARDED_BY(lock_table_mu) = nullptr;
  TaskRef holder_ GUARDED_BY(lock_table_mu);  // Empty when free or held by a thread.
  std::source_location held_at_ GUARDED_BY(lock_table_mu);
  // Relaxed copy of the holder's id for wait descriptions, which may be built
  // while the lock table is held (cycle reports) or not (quiescent runtime).
  std::atomic<uint64_t> holder_id_{0};
  MutexCore* reg_prev_ GUARDED_BY(lock_table_mu) = nullptr;  // Registry links.
  MutexCore* reg_next_ GUARDED_BY(lock_table_mu) = nullptr;
};

// "  and holds async Mutex M3 'a', acquired at:\n    #0 ...\n" for each
// async mutex `t` holds. Takes the lock table.
std::string async_mutex_holdings(const TaskHeader& t);

}  // namespace internal

template <typename T>
class Mutex;

// MutexGuard<T>: proof that the task holds an async Mutex<T>, and the only way
// to its data. Movable (also to another task), not copyable; unlocks when
// destroyed.
template <typename T>
class [[nodiscard]] MutexGuard {
 public:
  MutexGuard(MutexGuard&& other) noexcept : mutex_(std::exchange(other.mutex_, nullptr)) {}
  MutexGuard& operator=(MutexGuard&& other) noexcept {
    if (this != &other) {
      unlock();
      mutex_ = std::exchange(other.mutex_, nullptr);
    }
    return *this;
  }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;

  // MutexGuard<T>::~MutexGuard(): unlocks; the next waiting task gets the lock.
  ~MutexGuard() { unlock(); }

  // MutexGuard<T>::operator*/operator->: the protected data.
  T& operator*() const { return mutex_->data_unchecked(); }
  T* operator->() const { return &mutex_->data_unchecked(); }

  // MutexGuard<T>::unlock(): releases the lock now (Rust: `drop(guard)`).
  void unlock() noexcept {
    if (mutex_ != nullptr) std::exchange(mutex_, nullptr)->core_.unlock();
  }
  bool owns_lock() const noexcept { return mutex_ != nullptr; }

 private:
  friend class Mutex<T>;
  explicit MutexGuard(Mutex<T>* m) noexcept : mutex_(m) {}
  Mutex<T>* mutex_;
};

// Mutex<T>: an async mutual-exclusion lock that owns its data.
// (Clang's thread safety analysis cannot follow a lock across co_await, so
// the data is reached only through the guard, as in racelings::Mutex<T>.)
template <typename T>
class Mutex {
 public:
  // Mutex<T>::Mutex(): holding `value` (or T's default); the name shows in
  // deadlock reports.
  Mutex(std::source_location created = std::source_location::current())
    requires std::is_default_constructible_v<T>
      : core_({}, created), data_() {}
  explicit Mutex(T value, std::string_view name = {}, std::source_location created = std::source_location::current())
      : core_(name, created), data_(std::move(value)) {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // The awaitable of lock().
  class LockAwaiter : public internal::KnownAwaitable, public internal::MutexCore::Waiter {
   public:
    explicit LockAwaiter(Mutex& m) : Waiter(m.core_), mutex_(m) {}
    LockAwaiter(const LockAwaiter&) = delete;
    LockAwaiter& operator=(const LockAwaiter&) = delete;
    ~LockAwaiter() override {
      if (suspended_) mutex_.core_.abandon(*this);
    }
    bool await_ready() { return mutex_.core_.try_acquire(internal::current_task(), internal::tls_await_site); }
    bool await_suspend(std::coroutine_handle<> h) {
      internal::TaskHeader& me = internal::require_task("async Mutex::lock()");
      suspended_ = mutex_.core_.acquire_or_queue(*this, me, h, internal::tls_await_site);
      return suspended_;
    }
    MutexGuard<T> await_resume() noexcept {
      suspended_ = false;  // Resumed: the lock was handed to us.
      return MutexGuard<T>(&mutex_);
    }

   private:
    Mutex& mutex_;
    bool suspended_ = false;
  };

  // Mutex<T>::lock(): `auto guard = co_await m.lock();` suspends the task
  // until it holds the lock (FIFO among waiters). Locking a Mutex the task
  // already holds, or closing a cycle of tasks waiting for each other's
  // locks, is reported as a deadlock and ends the program.
  // Memory ordering: everything written under the lock by the previous holder
  // is visible through the new guard.
  [[nodiscard]] LockAwaiter lock() { return LockAwaiter(*this); }

  // Mutex<T>::try_lock(): the guard if the lock is free and nobody waits for
  // it, std::nullopt otherwise. Never suspends; usable from any thread.
  [[nodiscard]] std::optional<MutexGuard<T>> try_lock(std::source_location where = std::source_location::current()) {
    if (!core_.try_acquire(internal::current_task(), where)) return std::nullopt;
    return MutexGuard<T>(this);
  }

  // Mutex<T>::into_inner(): the data, when nobody can use the mutex any more.
  T into_inner() && { return std::move(data_); }

 private:
  friend class MutexGuard<T>;

  // Only a MutexGuard, which proves the lock is held, calls this.
  T& data_unchecked() { return data_; }

  internal::MutexCore core_;
  T data_;
};

}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_MUTEX_H_
