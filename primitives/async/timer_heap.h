// timer_heap.h
// -----------------------------------------------------------------------------
//
// The async runtime's pending sleeps, earliest deadline first: `TimerNode`
// (one per sleeping task, inside its sleep awaitable) and `TimerHeap`, a binary
// min-heap of nodes that knows each node's place, so that a sleep cancelled
// before its deadline (an aborted task, a `select` that lost) leaves in
// O(log n) without a search. Nodes with the same deadline fire in the order
// they were added. Not synchronized: the runtime holds its mutex around
// every call. Rust's tokio keeps a timer wheel for the same job.

#ifndef RACELINGS_PRIMITIVES_ASYNC_TIMER_HEAP_H_
#define RACELINGS_PRIMITIVES_ASYNC_TIMER_HEAP_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace racelings {
namespace async {
namespace internal {

class TaskHeader;

// A sleeping task's place in its runtime's timer heap.
struct TimerNode {
  std::chrono::steady_clock::time_point deadline;
  uint64_t seq = 0;              // Set by TimerHeap::push: orders equal deadlines.
  size_t heap_index = SIZE_MAX;  // Guarded by the runtime's mutex; SIZE_MAX when not queued.
  TaskHeader* task = nullptr;
  bool fired = false;  // Guarded by the runtime's mutex.
};

class TimerHeap {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  TimerHeap() = default;
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;

  // TimerHeap::push() queues `node` (not already queued) after every node
  // with the same deadline. Returns whether it is now the earliest.
  bool push(TimerNode& node);

  // TimerHeap::remove() takes `node` out if it is queued; returns whether it was.
  bool remove(TimerNode& node) noexcept;

  // TimerHeap::pop_due() removes and returns the earliest node if its
  // deadline is at or before `now`; nullptr otherwise.
  TimerNode* pop_due(time_point now) noexcept;

  bool empty() const noexcept { return heap_.empty(); }
  size_t size() const noexcept { return heap_.size(); }
  // The earliest deadline; the heap must not be empty.
  time_point earliest_deadline() const noexcept { return heap_.front()->deadline; }

 private:
  static bool before(const TimerNode* a, const TimerNode* b) noexcept;
  void swap_nodes(size_t a, size_t b) noexcept;
  void sift_up(size_t i) noexcept;
  void sift_down(size_t i) noexcept;
  void remove_at(size_t i) noexcept;

  std::vector<TimerNode*> heap_;  // heap_[i]->heap_index == i.
  uint64_t next_seq_ = 0;
};

}  // namespace internal
}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_TIMER_HEAP_H_
