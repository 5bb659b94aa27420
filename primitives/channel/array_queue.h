// channel/array_queue.h
// -----------------------------------------------------------------------------
//
// Internal to channel.h: the bounded channel's queue (sync_channel(n), n > 0),
// lock-free, after Dmitry Vyukov's bounded MPMC queue as crossbeam-channel's
// array flavor has it. A buffer of n slots, each with a *stamp*; head and
// tail are stamps too: { lap, mark bit, index }, packed in one word. A slot
// is free for the sender whose tail equals its stamp, and holds a message
// for the receiver whose head is one less than its stamp. A sender claims
// the slot by advancing the tail with a compare-exchange, writes the message
// and stores the stamp tail + 1; the receiver stores head + one lap, which
// frees the slot for the sender one lap later. The tail's mark bit says the
// channel is disconnected.
//
// Memory ordering: stamps are stored with release and read with acquire, so
// the receiver sees the message, and everything its sender wrote before.
//
// Rust equivalent: crossbeam-channel's `flavors::array::Channel<T>`.

#ifndef RACELINGS_PRIMITIVES_CHANNEL_ARRAY_QUEUE_H_
#define RACELINGS_PRIMITIVES_CHANNEL_ARRAY_QUEUE_H_

#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "primitives/channel/common.h"

namespace racelings {
namespace internal {

template <typename P>
class ArrayQueue {
  static_assert(std::is_nothrow_move_constructible_v<P>, "messages are stored with moves that cannot throw");

 public:
  // The most messages a sync_channel may hold: beyond it the stamps' lap
  // count would have too few bits left.
  static constexpr size_t kMaxCapacity = size_t{1} << 32;

  explicit ArrayQueue(size_t capacity)
      : cap_(checked(capacity)),
        mark_bit_(std::bit_ceil(capacity + 1)),
        one_lap_(mark_bit_ * 2),
        buffer_(new Slot[capacity]) {
    for (size_t i = 0; i < cap_; ++i) buffer_[i].stamp.store(i, std::memory_order_relaxed);
  }
  ArrayQueue(const ArrayQueue&) = delete;
  ArrayQueue& operator=(const ArrayQueue&) = delete;
  ~ArrayQueue() {
    size_t head = head_.load(std::memory_order_relaxed);
    size_t index = head & (mark_bit_ - 1);
    for (size_t n = size(); n > 0; --n) {
      buffer_[index].message()->~P();
      index = index + 1 < cap_ ? index + 1 : 0;
    }
  }

  // ArrayQueue::push(): queues `message` (moved from only on kDone); kNotNow
  // when the queue is full, kDisconnected when the channel is.
  [[gnu::noinline]] Outcome push(P& message) {
    Backoff backoff;
    size_t tail = tail_.load(std::memory_order_relaxed);
    for (;;) {
      if ((tail & mark_bit_) != 0) return Outcome::kDisconnected;
      size_t index = tail & (mark_bit_ - 1);
      size_t lap = tail & ~(one_lap_ - 1);
      Slot& slot = buffer_[index];
      size_t stamp = slot.stamp.load(std::memory_order_acquire);
      if (tail == stamp) {
        size_t new_tail = index + 1 < cap_ ? tail + 1 : lap + one_lap_;
        // seq_cst: a sleeping receiver's last check reads the tail (sleepers.h).
        if (tail_.compare_exchange_weak(tail, new_tail, std::memory_order_seq_cst, std::memory_order_relaxed)) {
          new (slot.storage) P(std::move(message));
          slot.stamp.store(tail + 1, std::memory_order_release);
          return Outcome::kDone;
        }
        backoff.spin();
      } else if (stamp + one_lap_ == tail + 1) {
        // The slot still holds last lap's message: full, unless the head moved.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        size_t head = head_.load(std::memory_order_relaxed);
        if (head + one_lap_ == tail) return Outcome::kNotNow;
        backoff.spin();
        tail = tail_.load(std::memory_order_relaxed);
      } else {
        // Another thread is mid-way through this slot: wait for its stamp.
        backoff.snooze();
        tail = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  // ArrayQueue::pop(): takes the oldest message into `out` (kDone), or says
  // the queue is empty (kNotNow) or empty and disconnected (kDisconnected).
  [[gnu::noinline]] Outcome pop(std::optional<P>& out) {
    Backoff backoff;
    size_t head = head_.load(std::memory_order_relaxed);
    for (;;) {
      size_t index = head & (mark_bit_ - 1);
      size_t lap = head & ~(one_lap_ - 1);
      Slot& slot = buffer_[index];
      size_t stamp = slot.stamp.load(std::memory_order_acquire);
      if (head + 1 == stamp) {
        size_t new_head = index + 1 < cap_ ? head + 1 : lap + one_lap_;
        // seq_cst: a sleeping sender's last check reads the head (sleepers.h).
        if (head_.compare_exchange_weak(head, new_head, std::memory_order_seq_cst, std::memory_order_relaxed)) {
          out.emplace(std::move(*slot.message()));
          slot.message()->~P();
          slot.stamp.store(head + one_lap_, std::memory_order_release);
          return Outcome::kDone;
        }
        backoff.spin();
      } else if (stamp == head) {
        // The slot is free for this lap's sender: empty, unless the tail moved.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        size_t tail = tail_.load(std::memory_order_relaxed);
        if ((tail & ~mark_bit_) == head) {
          return (tail & mark_bit_) != 0 ? Outcome::kDisconnected : Outcome::kNotNow;
        }
        backoff.spin();
        head = head_.load(std::memory_order_relaxed);
      } else {
        // Another thread is mid-way through this slot: wait for its stamp.
        backoff.snooze();
        head = head_.load(std::memory_order_relaxed);
      }
    }
  }

  // Sets the disconnected mark; true for the call that set it.
  bool disconnect() { return (tail_.fetch_or(mark_bit_, std::memory_order_seq_cst) & mark_bit_) == 0; }

  // For a sleeping receiver's or sender's last check (seq_cst: sleepers.h).
  bool empty_and_connected() const {
    size_t head = head_.load(std::memory_order_seq_cst);
    size_t tail = tail_.load(std::memory_order_seq_cst);
    return tail == head;  // A marked tail never equals a head.
  }
  bool full_and_connected() const {
    size_t tail = tail_.load(std::memory_order_seq_cst);
    size_t head = head_.load(std::memory_order_seq_cst);
    return head + one_lap_ == tail;
  }

  // Messages queued now; exact only while nobody sends or receives.
  size_t size() const {
    for (;;) {
      size_t tail = tail_.load(std::memory_order_seq_cst);
      size_t head = head_.load(std::memory_order_seq_cst);
      if (tail_.load(std::memory_order_seq_cst) != tail) continue;
      size_t hix = head & (mark_bit_ - 1);
      size_t tix = tail & (mark_bit_ - 1);
      if (hix < tix) return tix - hix;
      if (hix > tix) return cap_ - hix + tix;
      return (tail & ~mark_bit_) == head ? 0 : cap_;
    }
  }

 private:
  struct Slot {
    std::atomic<size_t> stamp{0};
    alignas(P) unsigned char storage[sizeof(P)];
    P* message() { return std::launder(reinterpret_cast<P*>(storage)); }
  };

  static size_t checked(size_t capacity) {
    if (capacity == 0 || capacity > kMaxCapacity) {
      throw std::length_error("sync_channel(" + std::to_string(capacity) + "): a bounded channel holds 1 to " +
                              std::to_string(kMaxCapacity) +
                              " messages (use sync_channel(0) for a rendezvous, channel() for no bound)");
    }
    return capacity;
  }

  const size_t cap_;
  const size_t mark_bit_;  // The smallest power of two above cap_: the bit after the index.
  const size_t one_lap_;   // The lowest bit of the lap count.
  std::unique_ptr<Slot[]> buffer_;
  alignas(kCacheLine) std::atomic<size_t> head_{0};
  alignas(kCacheLine) std::atomic<size_t> tail_{0};
};

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CHANNEL_ARRAY_QUEUE_H_
