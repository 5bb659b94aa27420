// Hostile submission for exercise 01: the worker calls std::abort().
#include <cstdlib>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  long total = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    if (!numbers.empty()) std::abort();
    for (int n : numbers) total += n;
  });
  worker.join();
  return total;
}

}  // namespace exercise
