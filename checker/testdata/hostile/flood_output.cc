// Hostile submission for exercise 01: correct, but prints 100 MB of output
// (on its first call; the test calls it ten times). The checker keeps only
// the start and the end of the output, says how much it dropped, and still
// finds the completion line at the very end: the exercise passes.
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  static std::atomic<bool> printed{false};
  if (!printed.exchange(true)) {
    std::string line(1023, 'x');
    line += '\n';
    for (int i = 0; i < 100 * 1024; ++i) std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    first_half = sum;
  });
  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];
  worker.join();
  return first_half + second_half;
}

}  // namespace exercise
