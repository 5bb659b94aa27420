// Hostile submission for exercise 01: a static initializer ends the program
// with status 0 before any test runs, through a name the preprocessor
// pastes. Stopped by the preprocessed source; were it missed, the run would
// fail anyway, for lack of the completion record (completion.h).
#include <cstddef>
#include <cstdlib>
#include <vector>

#include "primitives/thread.h"

#define JOIN(a, b) a##b
namespace {
const int kGone = (std::JOIN(ex, it)(0), 0);
}  // namespace

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
  long total = first_half + second_half + kGone;
  worker.join();
  return total;
}

}  // namespace exercise
