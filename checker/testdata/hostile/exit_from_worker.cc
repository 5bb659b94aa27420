// Hostile submission for exercise 01: the worker calls std::exit(0) while
// the tests are still running. Exit code 0, but the tests never finish.
#include <cstdlib>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  long total = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    for (int n : numbers) total += n;
    std::exit(0);
  });
  worker.join();
  return total;
}

}  // namespace exercise
