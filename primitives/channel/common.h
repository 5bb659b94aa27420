// channel/common.h
// -----------------------------------------------------------------------------
//
// Internal to channel.h: what the three queue flavors (list_queue.h,
// array_queue.h, zero_exchange.h) share: the outcome of one attempt, the
// payload type they store, and the short spin a thread makes before it
// sleeps (crossbeam-utils' `Backoff`).
//
// Rust equivalent: crossbeam-channel's `Token` results and crossbeam-utils'
// `Backoff`.

#ifndef RACELINGS_PRIMITIVES_CHANNEL_COMMON_H_
#define RACELINGS_PRIMITIVES_CHANNEL_COMMON_H_

#include <cstddef>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>

#include "primitives/schedule/schedule.h"

namespace racelings {
namespace internal {

// What one attempt to send or receive came to.
enum class Outcome {
  kDone,          // The message went in, or came out.
  kNotNow,        // Full (send) or empty (receive): try again, or sleep.
  kDisconnected,  // The other side is gone: it never will.
  kTimedOut,      // A receive with a deadline gave up.
};

// The queues move messages with moves that must not throw: a thread that has
// claimed a slot must fill it, or the slot's reader would wait for ever. A
// message type whose move may throw travels boxed; the box is made before
// any slot is claimed, and opened after the slot is released.
template <typename T>
inline constexpr bool kStoredInline = std::is_nothrow_move_constructible_v<T>;

template <typename T>
using Payload = std::conditional_t<kStoredInline<T>, T, std::unique_ptr<T>>;

template <typename T>
Payload<T> pack(T&& value) {
  if constexpr (kStoredInline<T>) {
    return Payload<T>(std::move(value));
  } else {
    return std::make_unique<T>(std::move(value));
  }
}

template <typename T>
T unpack(Payload<T>&& payload) {
  if constexpr (kStoredInline<T>) {
    return std::move(payload);
  } else {
    return T(std::move(*payload));
  }
}

// How many Backoff rounds (a growing spin, then yields) a thread that waits
// for the other side of a channel makes before it sleeps: crossbeam spins
// once before it registers to wait and once more before it parks.
inline constexpr int kSpinRounds = 2;

// Keeps hot atomics that different threads write apart. 128, not 64: x86's
// spatial prefetcher (since Sandy Bridge) pulls 64-byte lines in pairs, and
// so do the big cores of ARM designs, so two atomics 64 bytes apart still
// bounce between cores together (crossbeam's CachePadded and Rust's mpmc use
// 128 there too).
inline constexpr size_t kCacheLine = 128;

// Backoff: a short, growing spin, as crossbeam-utils' Backoff. spin() is for
// a retry after losing a race (a failed compare-exchange): pause
// instructions only. snooze() is for waiting on another thread's progress:
// pauses, then yields. completed() says when a thread that waits for the
// other side of a channel should stop spinning and go to sleep.
class Backoff {
 public:
  void spin() {
    pause(step_ < kSpinLimit ? step_ : kSpinLimit);
    if (step_ <= kSpinLimit) ++step_;
  }
  void snooze() {
    if (step_ <= kSpinLimit) {
      pause(step_);
    } else {
      // A real yield even under the controlled scheduler, where a yield would
      // otherwise be a scheduling point inside the channel operation.
      schedule::Uncontrolled real;
      std::this_thread::yield();
    }
    if (step_ <= kYieldLimit) ++step_;
  }
  bool completed() const { return step_ > kYieldLimit; }

 private:
  static constexpr int kSpinLimit = 6;
  static constexpr int kYieldLimit = 10;

  static void pause(int step) {
    for (int i = 0; i < (1 << step); ++i) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#elif defined(__aarch64__)
      asm volatile("yield");
#endif
    }
  }

  int step_ = 0;
};

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CHANNEL_COMMON_H_
