// Saves the pivot before the join and writes it back afterwards: the ranges still overlap, and both halves still write v[p] at once.
// expect: runs: data race
//
// Exercise 36: quicksort with overlapping halves
//
// parallel_sort() is a quicksort: it partitions the range around a pivot,
// then sorts the two sides with racelings::join, which may run them on two
// threads at once. But the two ranges it hands out overlap by one element,
// the pivot: both halves write it at the same time, a data race.
//
// Give the two halves ranges that do not overlap. Keep sorting them in
// parallel.

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "primitives/parallel/parallel.h"

namespace exercise {

using Less = std::function<bool(int, int)>;

// Ranges this small are sorted on one thread: a join would cost more than it
// saves.
constexpr size_t kSequentialBelow = 32;

void insertion_sort(std::vector<int>& v, size_t lo, size_t hi, const Less& less) {
  for (size_t i = lo + 1; i < hi; ++i) {
    const int x = v[i];
    size_t j = i;
    for (; j > lo && less(x, v[j - 1]); --j) v[j] = v[j - 1];
    v[j] = x;
  }
}

// Partitions v[lo, hi) around the median of its first, middle and last
// elements, and returns the index p where that pivot ends up:
// v[lo, p) <= v[p] <= v[p + 1, hi), and lo < p < hi - 1.
size_t partition(std::vector<int>& v, size_t lo, size_t hi, const Less& less) {
  const size_t mid = lo + (hi - lo) / 2;
  const size_t last = hi - 1;
  // The smallest sample goes first, the largest last, the pivot before it.
  std::array<int, 3> samples = {v[lo], v[mid], v[last]};
  std::sort(samples.begin(), samples.end(), less);
  v[lo] = samples[0];
  v[mid] = v[last - 1];
  v[last - 1] = samples[1];
  v[last] = samples[2];
  const int pivot = samples[1];
  size_t p = lo + 1;
  for (size_t i = lo + 1; i < last - 1; ++i) {
    if (less(v[i], pivot)) std::swap(v[i], v[p++]);
  }
  std::swap(v[p], v[last - 1]);
  return p;
}

// Sorts v[lo, hi).
void quicksort(std::vector<int>& v, size_t lo, size_t hi, const Less& less) {
  if (hi - lo < kSequentialBelow) {
    insertion_sort(v, lo, hi, less);
    return;
  }
  const size_t p = partition(v, lo, hi, less);
  // Both halves may move the pivot around: put it back where it belongs afterwards.
  const int pivot = v[p];
  racelings::join([&] { quicksort(v, lo, p + 1, less); }, [&] { quicksort(v, p, hi, less); });
  v[p] = pivot;
}

// Sorts v by `less`, in parallel.
void parallel_sort(std::vector<int>& v, const Less& less) { quicksort(v, 0, v.size(), less); }

}  // namespace exercise
