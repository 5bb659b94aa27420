// Tests for exercise 36. Do not edit: `./racelings check 36` runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
void parallel_sort(std::vector<int>& v, const std::function<bool(int, int)>& less);
}

namespace {

// Compares ints and counts the threads that compared. A relaxed atomic only:
// the test adds no synchronisation between the threads that could hide a
// race from ThreadSanitizer.
class ThreadCountingLess {
 public:
  bool operator()(int a, int b) {
    thread_local const ThreadCountingLess* counted_for = nullptr;
    if (counted_for != this) {
      counted_for = this;
      threads_.fetch_add(1, std::memory_order_relaxed);
    }
    return a < b;
  }
  int threads() const { return threads_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> threads_{0};
};

}  // namespace

TEST(QuicksortOverlap, SortsAShuffledRangeOnSeveralThreads) {
  std::vector<int> sorted(racelings::testing::rounds(100000, 2000));  // Smaller under the controlled scheduler.
  std::iota(sorted.begin(), sorted.end(), 0);
  std::vector<int> v = sorted;
  std::shuffle(v.begin(), v.end(), std::mt19937(36));

  ThreadCountingLess less;
  exercise::parallel_sort(v, [&less](int a, int b) { return less(a, b); });
  EXPECT_TRUE(v == sorted) << "the result is not the sorted input";
  // Under the controlled scheduler one thread may, in some schedules, do all
  // the work; the ordinary runs check that the work is spread.
  if (!racelings::testing::exploring()) {
    EXPECT_GE(less.threads(), 2) << "the halves must still be sorted on several threads";
  }
}
