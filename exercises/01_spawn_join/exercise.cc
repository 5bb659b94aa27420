// Exercise 01: spawn and join
//
// sum_in_background() adds up the numbers on a worker thread, so that the
// calling thread stays free. But the caller reads the worker's result while
// the worker may still be writing it: a data race.
//
// Make the caller wait for the worker before it reads `total`. Keep the
// summing on the worker thread.

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

  // TODO: the worker may not have written `total` yet. Wait for it first.
  long answer = total;
  worker.join();
  return answer;
}

}  // namespace exercise
