// deque.h
// -----------------------------------------------------------------------------
//
// `WorkStealingDeque<T>`: the per-worker job deque of the work-stealing
// scheduler (scheduler.h). Its owner pushes and pops at the bottom (newest
// first, so a worker stays on its own recent, cache-warm jobs); other workers
// steal from the top (oldest first, so a thief takes the biggest piece of
// work, as in divide-and-conquer the oldest job is the largest).
//
// The algorithm is the Chase-Lev deque ("Dynamic circular work-stealing
// deque", SPAA 2005) in the form of Lê, Pop, Cohen and Zappa Nardelli
// ("Correct and efficient work-stealing for weak memory models", PPoPP 2013),
// with two changes:
//
//  * No standalone fences. That paper puts a seq_cst fence between the
//    owner's store of `bottom` and its load of `top` in pop(), and between a
//    thief's loads of `top` and `bottom` in steal(). ThreadSanitizer does not
//    model fences, so here those four operations are themselves seq_cst: all
//    seq_cst operations fall in one total order S consistent with program
//    order, which gives the same store->load ordering the fences give (the
//    proof sketch is at pop() and steal()). Every store to `bottom` is at
//    least a release, so a thief that reads `bottom` synchronises with the
//    push of the slot it then reads; TSan sees that edge.
//  * A fixed capacity instead of a growing ring. The scheduler pushes one job
//    per nested join() and pops it before that join returns, so a deque holds
//    at most the depth of the join recursion; push() returns false when full
//    and the caller runs the job itself (a join that simply does not fork).
//    No buffer is ever replaced, so no memory needs reclaiming.
//
// Slots are atomics (read relaxed): a thief may read a slot that the owner
// is rewriting, but then its CAS on `top` fails and it drops what it read.
//
// `T*` must stay valid until whoever got it (pop or steal) is done with it;
// the deque never dereferences it.
//
// Rust equivalent: `crossbeam_deque::Worker` / `Stealer`, which rayon uses.

#ifndef RACELINGS_PRIMITIVES_PARALLEL_DEQUE_H_
#define RACELINGS_PRIMITIVES_PARALLEL_DEQUE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace racelings {
namespace internal {

// What WorkStealingDeque::steal() found.
enum class StealResult {
  kEmpty,    // Nothing to take.
  kSuccess,  // `*out` is ours.
  kRetry,    // Lost a race with the owner or another thief; try again.
};

template <typename T, size_t kCapacity = 1024>
class WorkStealingDeque {
  static_assert((kCapacity & (kCapacity - 1)) == 0, "the capacity must be a power of two");

 public:
  WorkStealingDeque() {
    for (auto& s : slots_) s.store(nullptr, std::memory_order_relaxed);
  }
  WorkStealingDeque(const WorkStealingDeque&) = delete;
  WorkStealingDeque& operator=(const WorkStealingDeque&) = delete;

  // WorkStealingDeque::push(): owner only. Adds `item` at the bottom; false
  // (and nothing added) when the deque is full. Never blocks.
  // Memory ordering: whatever the owner wrote before push() is visible to
  // the thread that steals `item`.
  bool push(T* item) {
    // Relaxed: only the owner writes bottom_.
    const int64_t b = bottom_.load(std::memory_order_relaxed);
    // Acquire: pairs with the thieves' successful CAS on top_, so their
    // reads of the slot we are about to reuse happen before we overwrite it.
    // A stale (smaller) top only makes us report "full" too early.
    const int64_t t = top_.load(std::memory_order_acquire);
    if (b - t >= static_cast<int64_t>(kCapacity)) return false;
    // Relaxed: published by the store of bottom_ below.
    slots_[b & kMask].store(item, std::memory_order_relaxed);
    // Seq_cst (a release at least): publishes the slot and the job to thieves
    // that read bottom_. Seq_cst also orders it before the scheduler's check
    // for sleeping workers that follows (the Dekker pattern documented in
    // scheduler.cc), so a worker going to sleep either sees this job or is
    // seen and woken.
    bottom_.store(b + 1, std::memory_order_seq_cst);
    return true;
  }

  // WorkStealingDeque::pop(): owner only. Takes the newest item, or nullptr
  // when the deque is empty or a thief took the last item first. Never blocks.
  T* pop() {
    const int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
    // Seq_cst store, then seq_cst load (the paper's fence): in the total
    // order S, either a thief's load of bottom_ comes after this store (it
    // sees the item at b as gone unless top < b), or the thief's earlier load
    // of top_ came before our load of top_ too, so if we both aim at the last
    // item we both see top == b and the CAS below picks one winner.
    bottom_.store(b, std::memory_order_seq_cst);
    int64_t t = top_.load(std::memory_order_seq_cst);
    if (t > b) {
      // Empty: put bottom_ back. Release: see the class comment.
      bottom_.store(b + 1, std::memory_order_release);
      return nullptr;
    }
    // Relaxed: the owner wrote this slot itself.
    T* item = slots_[b & kMask].load(std::memory_order_relaxed);
    if (t < b) return item;  // More than one left: no thief can reach index b.
    // The last item: race the thieves for it by moving top_ as they do.
    // Seq_cst on success (one total order with the thieves' CAS), relaxed on
    // failure (we only learn that a thief won).
    const bool won = top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed);
    // Release: see the class comment. Either way the deque is now empty at b + 1.
    bottom_.store(b + 1, std::memory_order_release);
    return won ? item : nullptr;
  }

  // WorkStealingDeque::steal(): any thread. Takes the oldest item. Never blocks.
  // Memory ordering: see push().
  StealResult steal(T** out) {
    // Seq_cst load of top_, then seq_cst load of bottom_ (the paper's fence
    // between them); see pop() for the argument.
    int64_t t = top_.load(std::memory_order_seq_cst);
    // Seq_cst includes acquire: synchronises with the owner's store of
    // bottom_ that followed the write of slot t.
    const int64_t b = bottom_.load(std::memory_order_seq_cst);
    if (t >= b) return StealResult::kEmpty;
    // Relaxed: may read a slot the owner is rewriting (only if top_ moved
    // past t meanwhile); then the CAS below fails and the value is dropped.
    T* item = slots_[t & kMask].load(std::memory_order_relaxed);
    // Seq_cst: one total order with pop()'s CAS and other thieves; its
    // release half pairs with push()'s acquire load of top_.
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) {
      return StealResult::kRetry;
    }
    *out = item;
    return StealResult::kSuccess;
  }

  // WorkStealingDeque::maybe_nonempty(): any thread. Seq_cst loads, for the
  // scheduler's check before a worker sleeps (it pairs with push()'s seq_cst
  // store). A snapshot: may change right after.
  bool maybe_nonempty() const {
    const int64_t t = top_.load(std::memory_order_seq_cst);
    const int64_t b = bottom_.load(std::memory_order_seq_cst);
    return t < b;
  }

  // WorkStealingDeque::size_hint(): any thread; relaxed, for tests and reports.
  int64_t size_hint() const {
    const int64_t b = bottom_.load(std::memory_order_relaxed);
    const int64_t t = top_.load(std::memory_order_relaxed);
    return b > t ? b - t : 0;
  }

  static constexpr size_t capacity() { return kCapacity; }

 private:
  static constexpr int64_t kMask = static_cast<int64_t>(kCapacity) - 1;

  // top_ and bottom_ on their own cache lines: thieves hammer top_, the owner
  // bottom_.
  alignas(64) std::atomic<int64_t> top_{0};
  alignas(64) std::atomic<int64_t> bottom_{0};
  alignas(64) std::array<std::atomic<T*>, kCapacity> slots_;
};

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_PARALLEL_DEQUE_H_
