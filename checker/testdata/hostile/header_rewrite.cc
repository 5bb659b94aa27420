// Hostile submission for exercise 01: before including the project's
// header, redefines `inline` so that every inline function of
// primitives/thread.h (the spawn and join machinery) is compiled without
// ThreadSanitizer's instrumentation, through an attribute no line spells.
// Stopped by the source (a macro defined before an #include) and by the IR
// (the header's functions, instantiated here, lack `sanitize_thread`).
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#define JOIN(a, b) a##b
#define inline __attribute__((JOIN(no_sanit, ize)("thread"))) inline
#include "primitives/thread.h"
#undef inline

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
