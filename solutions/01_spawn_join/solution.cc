// Exercise 01: spawn and join (solution)
//
// join() waits until the worker has finished; everything the worker wrote is
// visible to the caller after join() returns, so reading `total` is safe.

#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  long total = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (int n : numbers) sum += n;
    total = sum;
  });

  // join() first: it orders the worker's write before this read.
  worker.join();
  return total;
}

}  // namespace exercise
