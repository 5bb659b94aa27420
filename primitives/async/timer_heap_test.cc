// Tests of TimerHeap (timer_heap.h): earliest deadline first, ties in the
// order of push, removal from any place, and each node's index kept right.

#include "primitives/async/timer_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

namespace racelings {
namespace async {
namespace internal {
namespace {

using std::chrono::milliseconds;
using time_point = TimerHeap::time_point;

const time_point kStart{};

// Pops every node due by `now`, in order.
std::vector<TimerNode*> pop_all_due(TimerHeap& heap, time_point now) {
  std::vector<TimerNode*> popped;
  while (TimerNode* node = heap.pop_due(now)) popped.push_back(node);
  return popped;
}

TEST(TimerHeapTest, PopsInDeadlineOrderAndOnlyWhatIsDue) {
  std::deque<TimerNode> nodes(5);
  const int offsets_ms[] = {40, 10, 30, 50, 20};
  TimerHeap heap;
  for (size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].deadline = kStart + milliseconds(offsets_ms[i]);
    heap.push(nodes[i]);
  }
  EXPECT_EQ(heap.earliest_deadline(), kStart + milliseconds(10));
  EXPECT_EQ(heap.pop_due(kStart + milliseconds(9)), nullptr);
  EXPECT_EQ(pop_all_due(heap, kStart + milliseconds(30)), (std::vector<TimerNode*>{&nodes[1], &nodes[4], &nodes[2]}));
  EXPECT_EQ(heap.size(), 2u);
  EXPECT_EQ(pop_all_due(heap, kStart + milliseconds(100)), (std::vector<TimerNode*>{&nodes[0], &nodes[3]}));
  EXPECT_TRUE(heap.empty());
  for (const TimerNode& node : nodes) EXPECT_EQ(node.heap_index, SIZE_MAX);
}

TEST(TimerHeapTest, EqualDeadlinesFireInTheOrderTheyWerePushed) {
  std::deque<TimerNode> nodes(6);
  TimerHeap heap;
  std::vector<TimerNode*> pushed;
  for (TimerNode& node : nodes) {
    node.deadline = kStart + milliseconds(5);
    heap.push(node);
    pushed.push_back(&node);
  }
  EXPECT_EQ(pop_all_due(heap, kStart + milliseconds(5)), pushed);
}

TEST(TimerHeapTest, PushSaysWhetherTheNodeIsNowTheEarliest) {
  TimerNode late, early, tie;
  late.deadline = kStart + milliseconds(20);
  early.deadline = kStart + milliseconds(10);
  tie.deadline = kStart + milliseconds(10);
  TimerHeap heap;
  EXPECT_TRUE(heap.push(late));
  EXPECT_TRUE(heap.push(early));
  EXPECT_FALSE(heap.push(tie));  // Behind `early`, pushed before it.
}

TEST(TimerHeapTest, RemoveTakesANodeOutOnceAndLeavesTheRestInOrder) {
  std::deque<TimerNode> nodes(4);
  TimerHeap heap;
  for (size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].deadline = kStart + milliseconds(10 * (i + 1));
    heap.push(nodes[i]);
  }
  EXPECT_TRUE(heap.remove(nodes[0]));
  EXPECT_EQ(nodes[0].heap_index, SIZE_MAX);
  EXPECT_FALSE(heap.remove(nodes[0]));
  EXPECT_TRUE(heap.remove(nodes[2]));
  EXPECT_EQ(pop_all_due(heap, kStart + milliseconds(100)), (std::vector<TimerNode*>{&nodes[1], &nodes[3]}));
}

// Random pushes, removals and pops against a sorted reference: the heap
// gives the same order and each node's heap_index names its slot.
TEST(TimerHeapTest, MatchesASortedListUnderRandomOperations) {
  std::mt19937 random(21);
  std::deque<TimerNode> nodes(300);
  std::vector<TimerNode*> queued;  // The reference, unsorted.
  TimerHeap heap;
  auto earlier = [](const TimerNode* a, const TimerNode* b) {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
  };
  size_t next = 0;
  for (int step = 0; step < 2000; ++step) {
    int action = static_cast<int>(random() % 3);
    if (action == 0 && next < nodes.size()) {
      TimerNode& node = nodes[next++];
      node.deadline = kStart + milliseconds(random() % 50);  // Many ties.
      heap.push(node);
      queued.push_back(&node);
    } else if (action == 1 && !queued.empty()) {
      size_t victim = random() % queued.size();
      ASSERT_TRUE(heap.remove(*queued[victim]));
      queued.erase(queued.begin() + static_cast<std::ptrdiff_t>(victim));
    } else if (!queued.empty()) {
      auto expected = std::min_element(queued.begin(), queued.end(), earlier);
      ASSERT_EQ(heap.pop_due(kStart + milliseconds(100)), *expected);
      queued.erase(expected);
    }
    ASSERT_EQ(heap.size(), queued.size());
    for (const TimerNode* node : queued) ASSERT_NE(node->heap_index, SIZE_MAX);
  }
  std::sort(queued.begin(), queued.end(), earlier);
  EXPECT_EQ(pop_all_due(heap, kStart + milliseconds(100)), queued);
}

}  // namespace
}  // namespace internal
}  // namespace async
}  // namespace racelings
