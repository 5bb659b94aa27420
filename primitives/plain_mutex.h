// plain_mutex.h
// -----------------------------------------------------------------------------
//
// `internal::PlainMutex` and `internal::PlainLock`: a std::mutex and its
// holder, with the thread safety annotations that libstdc++'s lack. The
// primitives' own bookkeeping (the deadlock detector's registry, say) locks
// these: they are invisible to the detector, as its own locks must be, while
// `-Wthread-safety` checks every member marked `GUARDED_BY` them.
//
// A PlainLock is a std::unique_lock underneath, so std::condition_variable
// waits on `lock.native()` exactly as before (and the controlled scheduler's
// interposition still sees a std::mutex). The wait releases and retakes the
// lock; for the analysis it stays held throughout, which is what the caller
// sees.
//
// Rust equivalent: `std::sync::Mutex<()>` beside the data it protects.
//
//   struct Registry {
//     PlainMutex mu;
//     int count GUARDED_BY(mu) = 0;
//   };
//   { PlainLock lock(r.mu); ++r.count; }

#ifndef RACELINGS_PRIMITIVES_PLAIN_MUTEX_H_
#define RACELINGS_PRIMITIVES_PLAIN_MUTEX_H_

#include <mutex>

#include "primitives/thread_annotations.h"

namespace racelings {
namespace internal {

class CAPABILITY("mutex") PlainMutex {
 public:
  PlainMutex() = default;
  PlainMutex(const PlainMutex&) = delete;
  PlainMutex& operator=(const PlainMutex&) = delete;

  [[gnu::always_inline]] void lock() ACQUIRE() { mu_.lock(); }
  [[gnu::always_inline]] void unlock() RELEASE() { mu_.unlock(); }

  // For the analysis, where a lock is held by a path it cannot follow.
  void assert_held() const ASSERT_CAPABILITY(this) {}

 private:
  friend class PlainLock;
  std::mutex mu_;
};

// PlainLock: holds a PlainMutex from construction to destruction, except
// between unlock() and lock().
class SCOPED_CAPABILITY PlainLock {
 public:
  explicit PlainLock(PlainMutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  // Does not take the lock (std::defer_lock); lock() takes it.
  PlainLock(PlainMutex& mu, std::defer_lock_t) EXCLUDES(mu) : lock_(mu.mu_, std::defer_lock) {}
  ~PlainLock() RELEASE() {}
  PlainLock(const PlainLock&) = delete;
  PlainLock& operator=(const PlainLock&) = delete;

  void lock() ACQUIRE() { lock_.lock(); }
  void unlock() RELEASE() { lock_.unlock(); }

  // For std::condition_variable's waits.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_PLAIN_MUTEX_H_
