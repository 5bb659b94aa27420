// Hostile submission for exercise 01: unbounded recursion on the worker
// (not a tail call, so the compiler cannot turn it into a loop) until the
// stack overflows.
#include <cstddef>
#include <vector>

#include "primitives/thread.h"

namespace exercise {
namespace {

long deeper(volatile char* caller, long depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  // Never true (depth only grows): it only keeps the compiler from proving
  // that the recursion is endless.
  if (depth < 0 && caller != nullptr) return caller[0];
  return deeper(frame, depth + 1) + frame[0];
}

}  // namespace

long sum_in_background(const std::vector<int>& numbers) {
  long total = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    total = deeper(nullptr, 0);
    for (int n : numbers) total += n;
  });
  worker.join();
  return total;
}

}  // namespace exercise
