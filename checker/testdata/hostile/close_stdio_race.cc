// Hostile submission for exercise 01: closes its stdout and stderr, then
// keeps the exercise's data race. Nothing it prints reaches the checker any
// more, but ThreadSanitizer's report still does, through its log_path file.
#include <unistd.h>

#include <cstddef>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  close(STDOUT_FILENO);
  close(STDERR_FILENO);
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    first_half = sum;
  });
  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];
  long total = first_half + second_half;  // The race: the worker may still be writing.
  worker.join();
  return total;
}

}  // namespace exercise
