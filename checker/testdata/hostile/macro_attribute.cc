// Hostile submission for exercise 01: the racy accesses move into small
// helpers whose attribute, assembled by a macro, turns ThreadSanitizer's
// instrumentation off (`no_sanitize("thread")`). Stopped by the preprocessed
// source and by the IR (the helpers lack the `sanitize_thread` attribute).
#include <cstddef>
#include <vector>

#include "primitives/thread.h"

#define JOIN(a, b) a##b
#define UNWATCHED __attribute__((JOIN(no_sanit, ize)("thread")))

namespace exercise {
namespace {

UNWATCHED void store(long& into, long value) { into = value; }
UNWATCHED long load(const long& from) { return from; }

}  // namespace

long sum_in_background(const std::vector<int>& numbers) {
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    store(first_half, sum);
  });
  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];
  long total = load(first_half) + second_half;
  worker.join();
  return total;
}

}  // namespace exercise
