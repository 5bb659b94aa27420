#include "primitives/async/timer_heap.h"

#include <utility>

namespace racelings {
namespace async {
namespace internal {

bool TimerHeap::before(const TimerNode* a, const TimerNode* b) noexcept {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

void TimerHeap::swap_nodes(size_t a, size_t b) noexcept {
  std::swap(heap_[a], heap_[b]);
  heap_[a]->heap_index = a;
  heap_[b]->heap_index = b;
}

void TimerHeap::sift_up(size_t i) noexcept {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!before(heap_[i], heap_[parent])) return;
    swap_nodes(i, parent);
    i = parent;
  }
}

void TimerHeap::sift_down(size_t i) noexcept {
  for (;;) {
    size_t smallest = i, left = 2 * i + 1, right = 2 * i + 2;
    if (left < heap_.size() && before(heap_[left], heap_[smallest])) smallest = left;
    if (right < heap_.size() && before(heap_[right], heap_[smallest])) smallest = right;
    if (smallest == i) return;
    swap_nodes(i, smallest);
    i = smallest;
  }
}

void TimerHeap::remove_at(size_t i) noexcept {
  size_t last = heap_.size() - 1;
  TimerNode* removed = heap_[i];
  if (i != last) swap_nodes(i, last);
  heap_.pop_back();
  removed->heap_index = SIZE_MAX;
  if (i < heap_.size()) {
    // The node moved into the hole may belong above it or below it; when it
    // moves up, what replaces it at i is its old parent, already in order.
    sift_up(i);
    sift_down(i);
  }
}

bool TimerHeap::push(TimerNode& node) {
  node.seq = ++next_seq_;
  node.heap_index = heap_.size();
  heap_.push_back(&node);
  sift_up(node.heap_index);
  return node.heap_index == 0;
}

bool TimerHeap::remove(TimerNode& node) noexcept {
  if (node.heap_index == SIZE_MAX) return false;
  remove_at(node.heap_index);
  return true;
}

TimerNode* TimerHeap::pop_due(time_point now) noexcept {
  if (heap_.empty() || heap_.front()->deadline > now) return nullptr;
  TimerNode* earliest = heap_.front();
  remove_at(0);
  return earliest;
}

}  // namespace internal
}  // namespace async
}  // namespace racelings
