// Hostile submission for exercise 01: the worker writes through a wild
// pointer and dies of SIGSEGV.
#include <cstdint>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  long total = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    volatile uintptr_t address = 16;
    *reinterpret_cast<volatile long*>(address) = 1;
    for (int n : numbers) total += n;
  });
  worker.join();
  return total;
}

}  // namespace exercise
