// channel/list_queue.h
// -----------------------------------------------------------------------------
//
// Internal to channel.h: the unbounded channel's queue, lock-free, after
// crossbeam-channel's list flavor (which Rust's std::sync::mpsc ports since
// 1.67). Messages live in linked blocks of 31 slots. A sender claims a slot
// by advancing the tail index with a compare-exchange, writes the message
// and sets the slot's WRITE bit; a receiver claims the slot at the head the
// same way and waits (briefly: the sender is mid-write) for that bit. The
// sender that claims a block's last slot installs the next block; the
// receiver of a block's last slot frees it, or, when another receiver is
// still reading a slot of it, leaves the freeing to that one (DESTROY bit).
//
// An index counts slots; its low bit (kMarkBit) is a flag: in the tail, the
// channel is disconnected (sends fail, receives of an empty channel fail);
// in the head, the head block is not the last one. Index value i sits in
// block i / 32 at offset i % 32; offset 31 is no slot, it marks "move to
// the next block".
//
// push() and pop() inline the common case (a slot that is not its block's
// last, no lost race) into every send and receive, and leave the rest to a
// general loop out of line, as crossbeam's `start_send`/`start_recv` do in
// one loop.
//
// Memory ordering: WRITE is set with release and read with acquire, so the
// receiver sees the message, and everything its sender wrote before.
//
// Rust equivalent: crossbeam-channel's `flavors::list::Channel<T>`.

#ifndef RACELINGS_PRIMITIVES_CHANNEL_LIST_QUEUE_H_
#define RACELINGS_PRIMITIVES_CHANNEL_LIST_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <new>
#include <optional>
#include <type_traits>

#include "primitives/channel/common.h"

namespace racelings {
namespace internal {

template <typename P>
class ListQueue {
  static_assert(std::is_nothrow_move_constructible_v<P>, "messages are stored with moves that cannot throw");

 public:
  ListQueue() = default;
  ListQueue(const ListQueue&) = delete;
  ListQueue& operator=(const ListQueue&) = delete;
  ~ListQueue() { destroy_remaining(); }

  // ListQueue::push(): queues `message` (moved from only on kDone), or
  // kDisconnected. Never kNotNow: the queue is unbounded. Inline: the common
  // case, a connected channel and a free slot before the block's last, which
  // is the general loop's first round; anything else (a lost race, a block
  // to install, a disconnection) goes through that loop from the start.
  [[gnu::always_inline]] Outcome push(P& message) {
    size_t tail = tail_.index.load(std::memory_order_acquire);
    Block* block = tail_.block.load(std::memory_order_acquire);
    size_t offset = (tail >> kShift) % kLap;
    if ((tail & kMarkBit) == 0 && offset + 1 < kBlockCap && block != nullptr) [[likely]] {
      // seq_cst: the sleeping receiver's last check reads the tail (sleepers.h).
      if (tail_.index.compare_exchange_weak(tail, tail + (size_t{1} << kShift), std::memory_order_seq_cst,
                                            std::memory_order_acquire)) [[likely]] {
        write(block->slots[offset], message);
        return Outcome::kDone;
      }
    }
    return push_general(message);
  }

  // next_head(): where the head goes after taking the slot at `head` (in
  // `new_head`, kDone), or kNotNow / kDisconnected when the queue is empty.
  // Shared by pop()'s inline first round and its general loop.
  [[gnu::always_inline]] Outcome next_head(size_t head, size_t& new_head) {
    new_head = head + (size_t{1} << kShift);
    if ((new_head & kMarkBit) == 0) {
      // The head may be in the tail's block: compare with the tail.
      std::atomic_thread_fence(std::memory_order_seq_cst);
      size_t tail = tail_.index.load(std::memory_order_relaxed);
      if (head >> kShift == tail >> kShift) {
        return (tail & kMarkBit) != 0 ? Outcome::kDisconnected : Outcome::kNotNow;
      }
      if ((head >> kShift) / kLap != (tail >> kShift) / kLap) new_head |= kMarkBit;
    }
    return Outcome::kDone;
  }

  // ListQueue::pop(): takes the oldest message into `out` (kDone), or says
  // the queue is empty (kNotNow) or empty and disconnected (kDisconnected).
  // Inline: the common case, a slot before the block's last (the general
  // loop's first round); the rest goes through that loop from the start.
  [[gnu::always_inline]] Outcome pop(std::optional<P>& out) {
    size_t head = head_.index.load(std::memory_order_acquire);
    Block* block = head_.block.load(std::memory_order_acquire);
    size_t offset = (head >> kShift) % kLap;
    if (offset + 1 < kBlockCap && block != nullptr) [[likely]] {
      size_t new_head = 0;
      if (Outcome empty = next_head(head, new_head); empty != Outcome::kDone) return empty;
      if (head_.index.compare_exchange_weak(head, new_head, std::memory_order_seq_cst, std::memory_order_acquire))
          [[likely]] {
        Slot& slot = block->slots[offset];
        take(slot, out);
        // Not the block's last slot: only a reader that lost the block's
        // freeing to this one (kDestroy) makes this one free it.
        if (mark_read(slot)) [[unlikely]]
          destroy(block, offset + 1);
        return Outcome::kDone;
      }
    }
    return pop_general(out);
  }

  // Sets the disconnected mark; true for the call that set it.
  bool disconnect() { return (tail_.index.fetch_or(kMarkBit, std::memory_order_seq_cst) & kMarkBit) == 0; }

  // For a sleeping receiver's last check (seq_cst: see sleepers.h).
  bool empty_and_connected() const {
    size_t head = head_.index.load(std::memory_order_seq_cst);
    size_t tail = tail_.index.load(std::memory_order_seq_cst);
    return head >> kShift == tail >> kShift && (tail & kMarkBit) == 0;
  }

  // Messages queued now; exact only while nobody sends or receives.
  size_t size() const {
    for (;;) {
      size_t tail = tail_.index.load(std::memory_order_seq_cst);
      size_t head = head_.index.load(std::memory_order_seq_cst);
      if (tail_.index.load(std::memory_order_seq_cst) != tail) continue;
      tail >>= kShift;
      head >>= kShift;
      // An index at a block's end stands for the next block's first slot.
      if (tail % kLap == kLap - 1) ++tail;
      if (head % kLap == kLap - 1) ++head;
      size_t base = head / kLap * kLap;
      tail -= base;
      head -= base;
      return tail - head - tail / kLap;
    }
  }

 private:
  // push() in full: claims a slot, installing blocks as needed, retrying
  // after lost races.
  [[gnu::noinline]] Outcome push_general(P& message) {
    Backoff backoff;
    size_t tail = tail_.index.load(std::memory_order_acquire);
    Block* block = tail_.block.load(std::memory_order_acquire);
    Block* next_block = nullptr;  // Made before the claim, to keep others' wait short.
    for (;;) {
      if ((tail & kMarkBit) != 0) {
        delete next_block;
        return Outcome::kDisconnected;
      }
      size_t offset = (tail >> kShift) % kLap;
      if (offset == kBlockCap) {
        // Another sender is installing the next block.
        backoff.snooze();
        tail = tail_.index.load(std::memory_order_acquire);
        block = tail_.block.load(std::memory_order_acquire);
        continue;
      }
      if (offset + 1 == kBlockCap && next_block == nullptr) next_block = new Block;
      if (block == nullptr) {
        // The very first message: install the first block.
        Block* first = new Block;
        if (tail_.block.compare_exchange_strong(block, first, std::memory_order_release, std::memory_order_relaxed)) {
          head_.block.store(first, std::memory_order_release);
          block = first;
        } else {
          if (next_block == nullptr) {
            next_block = first;
          } else {
            delete first;
          }
          tail = tail_.index.load(std::memory_order_acquire);
          block = tail_.block.load(std::memory_order_acquire);
          continue;
        }
      }
      size_t new_tail = tail + (size_t{1} << kShift);
      // seq_cst: the sleeping receiver's last check reads the tail (sleepers.h).
      if (tail_.index.compare_exchange_weak(tail, new_tail, std::memory_order_seq_cst, std::memory_order_acquire)) {
        if (offset + 1 == kBlockCap) {
          tail_.block.store(next_block, std::memory_order_release);
          tail_.index.fetch_add(size_t{1} << kShift, std::memory_order_release);
          block->next.store(next_block, std::memory_order_release);
          next_block = nullptr;
        }
        delete next_block;
        write(block->slots[offset], message);
        return Outcome::kDone;
      }
      block = tail_.block.load(std::memory_order_acquire);
      backoff.spin();
    }
  }

  // pop() in full: also moves the head to the next block and waits for
  // another receiver doing so.
  [[gnu::noinline]] Outcome pop_general(std::optional<P>& out) {
    Backoff backoff;
    size_t head = head_.index.load(std::memory_order_acquire);
    Block* block = head_.block.load(std::memory_order_acquire);
    for (;;) {
      size_t offset = (head >> kShift) % kLap;
      if (offset == kBlockCap) {
        // Another receiver is moving the head to the next block.
        backoff.snooze();
        head = head_.index.load(std::memory_order_acquire);
        block = head_.block.load(std::memory_order_acquire);
        continue;
      }
      size_t new_head = 0;
      if (Outcome empty = next_head(head, new_head); empty != Outcome::kDone) return empty;
      if (block == nullptr) {
        // The first sender is installing the first block.
        backoff.snooze();
        head = head_.index.load(std::memory_order_acquire);
        block = head_.block.load(std::memory_order_acquire);
        continue;
      }
      if (head_.index.compare_exchange_weak(head, new_head, std::memory_order_seq_cst, std::memory_order_acquire)) {
        if (offset + 1 == kBlockCap) {
          Block* next = block->wait_next();
          size_t next_index = (new_head & ~kMarkBit) + (size_t{1} << kShift);
          if (next->next.load(std::memory_order_relaxed) != nullptr) next_index |= kMarkBit;
          head_.block.store(next, std::memory_order_release);
          head_.index.store(next_index, std::memory_order_release);
        }
        read(block, offset, out);
        return Outcome::kDone;
      }
      block = head_.block.load(std::memory_order_acquire);
      backoff.spin();
    }
  }

  static constexpr size_t kLap = 32;             // Indices per block.
  static constexpr size_t kBlockCap = kLap - 1;  // Slots per block.
  static constexpr size_t kShift = 1;            // Low bits of an index that are flags.
  static constexpr size_t kMarkBit = 1;
  // A slot's state bits.
  static constexpr size_t kWrite = 1;    // The message is in.
  static constexpr size_t kRead = 2;     // The message was taken out.
  static constexpr size_t kDestroy = 4;  // The block's freeing waits for this slot's reader.

  struct Slot {
    alignas(P) unsigned char storage[sizeof(P)];
    std::atomic<size_t> state{0};
    P* message() { return std::launder(reinterpret_cast<P*>(storage)); }
    [[gnu::noinline]] void wait_write() {
      Backoff backoff;
      while ((state.load(std::memory_order_acquire) & kWrite) == 0) backoff.snooze();
    }
  };

  struct Block {
    std::atomic<Block*> next{nullptr};
    Slot slots[kBlockCap];
    Block* wait_next() {
      Backoff backoff;
      for (;;) {
        Block* n = next.load(std::memory_order_acquire);
        if (n != nullptr) return n;
        backoff.snooze();
      }
    }
  };

  struct Position {
    std::atomic<size_t> index{0};
    std::atomic<Block*> block{nullptr};
  };

  // Fills a claimed slot; the WRITE bit publishes it.
  [[gnu::always_inline]] static void write(Slot& slot, P& message) {
    new (slot.storage) P(std::move(message));
    slot.state.fetch_or(kWrite, std::memory_order_release);
  }

  // Empties a claimed slot into `out` once its sender has filled it.
  [[gnu::always_inline]] static void take(Slot& slot, std::optional<P>& out) {
    if ((slot.state.load(std::memory_order_acquire) & kWrite) == 0) [[unlikely]]
      slot.wait_write();
    out.emplace(std::move(*slot.message()));
    slot.message()->~P();
  }

  // Sets a taken slot's READ bit; true when a block's freeing waits for it
  // (kDestroy). An exchange, not a fetch_or, which x86 can only do as a
  // compare-exchange loop when the old value is used: the state is kWrite
  // or kWrite | kDestroy here (only this reader sets kRead), and once
  // kDestroy is set nobody but this reader looks at it again, so storing
  // kWrite | kRead loses nothing.
  [[gnu::always_inline]] static bool mark_read(Slot& slot) {
    return (slot.state.exchange(kWrite | kRead, std::memory_order_acq_rel) & kDestroy) != 0;
  }

  void read(Block* block, size_t offset, std::optional<P>& out) {
    Slot& slot = block->slots[offset];
    take(slot, out);
    if (offset + 1 == kBlockCap) {
      destroy(block, 0);
    } else if (mark_read(slot)) {
      destroy(block, offset + 1);
    }
  }

  // Frees `block` once no receiver reads any of its slots from `start` on;
  // a receiver still reading one finishes the job (it sees kDestroy).
  [[gnu::noinline]] static void destroy(Block* block, size_t start) {
    // The last slot's reader started the freeing: it needs no mark.
    for (size_t i = start; i + 1 < kBlockCap; ++i) {
      Slot& slot = block->slots[i];
      if ((slot.state.load(std::memory_order_acquire) & kRead) == 0 &&
          (slot.state.fetch_or(kDestroy, std::memory_order_acq_rel) & kRead) == 0) {
        return;
      }
    }
    delete block;
  }

  // With no sender or receiver left: destroys the messages never received.
  void destroy_remaining() {
    size_t head = (head_.index.load(std::memory_order_relaxed) & ~kMarkBit) >> kShift;
    size_t tail = (tail_.index.load(std::memory_order_relaxed) & ~kMarkBit) >> kShift;
    Block* block = head_.block.load(std::memory_order_relaxed);
    for (; head != tail; ++head) {
      size_t offset = head % kLap;
      if (offset < kBlockCap) {
        block->slots[offset].message()->~P();
      } else {
        Block* next = block->next.load(std::memory_order_relaxed);
        delete block;
        block = next;
      }
    }
    delete block;
  }

  alignas(kCacheLine) Position head_;
  alignas(kCacheLine) Position tail_;
};

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CHANNEL_LIST_QUEUE_H_
