// lock_word.h
// -----------------------------------------------------------------------------
//
// Internal: `LockWord`, the lock inside RawMutex (and so Mutex<T>). One
// 32-bit word, the shape of the futex locks in WebKit's ParkingLot and Rust's
// `parking_lot` and `std::sync::Mutex` (Drepper's "Futexes Are Tricky",
// mutex 3): 0 free, 1 held, 2 held while a thread sleeps on it. Locking is
// one compare-exchange, unlocking one exchange, both inlined into the
// caller; only a thread that finds the lock held leaves the fast path: it
// spins briefly while nobody sleeps, then sleeps on the word (futex). While
// the process has a single thread (glibc's `__libc_single_threaded`, which
// glibc's own pthread_mutex_lock reads too) the word is read and written
// without atomic instructions: no other thread exists to see it.
//
// Under ThreadSanitizer it is a std::mutex instead: TSan intercepts pthread
// mutexes, which is how its reports name the locks a thread held, how its
// lock-order graph is built and how Condvar's waits look to it, exactly as
// in a program written with std::mutex.
//
// Under the controlled scheduler RawMutex never sleeps on the word (the
// holder could not run to let go): see RawMutex::lock_controlled.
//
// Rust equivalent: `parking_lot::RawMutex`; the futex `Mutex` of Rust's std.

#ifndef RACELINGS_PRIMITIVES_LOCK_WORD_H_
#define RACELINGS_PRIMITIVES_LOCK_WORD_H_

#include <atomic>
#include <cstdint>
#include <mutex>

#if defined(__SANITIZE_THREAD__)
#define RACELINGS_NATIVE_LOCKS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RACELINGS_NATIVE_LOCKS 1
#endif
#endif

#ifndef RACELINGS_NATIVE_LOCKS
#include <sys/single_threaded.h>
#endif

namespace racelings {
namespace internal {

#ifdef RACELINGS_NATIVE_LOCKS

class LockWord {
 public:
  void lock() { mu_.lock(); }
  bool try_lock() { return mu_.try_lock(); }
  void unlock() { mu_.unlock(); }
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

#else

class LockWord {
 public:
  LockWord() = default;
  LockWord(const LockWord&) = delete;
  LockWord& operator=(const LockWord&) = delete;

  // LockWord::try_lock(): takes the word if it is free.
  // Memory ordering: acquire, pairing with unlock()'s release.
  [[gnu::always_inline]] bool try_lock() {
    if (__libc_single_threaded) {
      if (state_.load(std::memory_order_relaxed) != kFree) return false;
      state_.store(kHeld, std::memory_order_relaxed);
      return true;
    }
    uint32_t expected = kFree;
    return state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire, std::memory_order_relaxed);
  }

  // LockWord::lock(): blocks (spinning briefly, then on a futex) until held.
  [[gnu::always_inline]] void lock() {
    if (!try_lock()) [[unlikely]]
      lock_slow();
  }

  // LockWord::unlock(): frees the word, waking one sleeper if there is one.
  // Memory ordering: release.
  [[gnu::always_inline]] void unlock() {
    // A single thread cannot have left a sleeper behind.
    if (__libc_single_threaded && state_.load(std::memory_order_relaxed) == kHeld) {
      state_.store(kFree, std::memory_order_relaxed);
      return;
    }
    if (state_.exchange(kFree, std::memory_order_release) == kSleepers) [[unlikely]]
      wake_one();
  }

 private:
  static constexpr uint32_t kFree = 0;
  static constexpr uint32_t kHeld = 1;
  static constexpr uint32_t kSleepers = 2;  // Held, and a thread may sleep on the word.

  [[gnu::noinline]] void lock_slow();
  [[gnu::noinline]] void wake_one();

  std::atomic<uint32_t> state_{kFree};
};

#endif  // RACELINGS_NATIVE_LOCKS

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_LOCK_WORD_H_
