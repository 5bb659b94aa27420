// Hostile submission for exercise 01: does not compile (a missing operand
// and an undeclared name).
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  racelings::JoinHandle<void> worker = racelings::spawn([] {});
  worker.join();
  return static_cast<long>(numbers.size()) + undeclared_total +;
}

}  // namespace exercise
