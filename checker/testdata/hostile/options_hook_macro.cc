// Hostile submission for exercise 01: keeps the data race and defines
// ThreadSanitizer's options hook through macros, returning options that
// would silence every report and exit with 0. Stopped by the preprocessed
// source and the object; at run time the options the runner sets in the
// environment would override these anyway.
#include <cstddef>
#include <vector>

#include "primitives/thread.h"

#define JOIN(a, b) a##b
#define QUIET(kind) JOIN(__ts, an_default_##kind)
extern "C" const char* QUIET(options)() { return "report_bugs=0:exitcode=0"; }

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
  long total = first_half + second_half;
  worker.join();
  return total;
}

}  // namespace exercise
