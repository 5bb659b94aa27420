// Tells ThreadSanitizer to look away from sum_in_background() with a no_sanitize attribute: the race is still there, unreported.
// expect: integrity
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

#include <cstddef>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

__attribute__((no_sanitize("thread"))) long sum_in_background(const std::vector<int>& numbers) {
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    first_half = sum;
  });

  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];

  // TODO: the worker may not have written `first_half` yet. Wait for it first.
  long total = first_half + second_half;
  worker.join();
  return total;
}

}  // namespace exercise
