// Hostile submission for exercise 01: keeps the data race and defines
// ThreadSanitizer's suppressions hook under a name the preprocessor pastes
// together, so that no line of the file spells it. Stopped by the
// preprocessed source (the pasted name) and the object (the symbol defined).
#include <cstddef>
#include <vector>

#include "primitives/thread.h"

#define JOIN(a, b) a##b
#define HOOK(name) extern "C" const char* JOIN(__ts, name)()
HOOK(an_default_suppressions) { return "race:exercise::sum_in_background"; }

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
