// Hostile submission for exercise 01: a correct fix that also pulls in the
// test framework, through an #include whose header name a macro builds (a
// first step to reaching into the tests). Stopped by the source (a computed
// #include) and the preprocessed source (the line markers name GoogleTest's
// headers among the included files).
#include <cstddef>
#include <vector>

#include "primitives/thread.h"

#define HEADER(name) <name>
#include HEADER(gtest/gtest.h)

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
  worker.join();
  return first_half + second_half;
}

}  // namespace exercise
