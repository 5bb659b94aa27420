// Waits on a relaxed atomic "done" flag: the flag arrives, but it carries no happens-before for `first_half`.
// expect: runs: data race
//
// Exercise 01: spawn and join
//
// sum_in_background() adds up the numbers on two threads: a worker sums the
// first half while the caller sums the second. But the caller reads the
// worker's result as soon as its own half is done, while the worker may
// still be writing it: a data race.
//
// Make the caller wait for the worker before it reads `first_half`. Keep
// the first half on the worker thread.

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  std::atomic<bool> done{false};
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    first_half = sum;
    done.store(true, std::memory_order_relaxed);
  });

  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];

  // Wait until the worker says it is done, then read its half.
  while (!done.load(std::memory_order_relaxed)) std::this_thread::yield();
  long total = first_half + second_half;
  worker.join();
  return total;
}

}  // namespace exercise
