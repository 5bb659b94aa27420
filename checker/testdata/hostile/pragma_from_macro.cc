// Hostile submission for exercise 01: a macro pastes the `_Pragma` operator
// together and applies `no_sanitize("thread")` to every function after it,
// written inside a string where no source rule looks. Stopped by the
// preprocessed source (the pragma it expands to) and by the IR.
#include <cstddef>
#include <vector>

#include "primitives/thread.h"

#define OPERATOR(head, tail, text) head##tail(text)
#define UNWATCHED_FROM_HERE \
  OPERATOR(_Pra, gma, "clang attribute push(__attribute__((no_sanitize(\"thread\"))), apply_to = function)")
#define WATCHED_AGAIN OPERATOR(_Pra, gma, "clang attribute pop")
UNWATCHED_FROM_HERE

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

WATCHED_AGAIN
