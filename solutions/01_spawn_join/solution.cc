// Exercise 01: spawn and join (solution)
//
// join() waits until the worker has finished; everything the worker wrote is
// visible to the caller after join() returns, so reading `first_half` is safe.

#include <cstddef>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    first_half = sum;
  });

  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];

  // join() first: it orders the worker's write before this read.
  worker.join();
  return first_half + second_half;
}

}  // namespace exercise
