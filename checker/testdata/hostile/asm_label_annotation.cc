// Hostile submission for exercise 01: an innocent-looking function is bound
// to ThreadSanitizer's annotation by an assembler label, itself assembled by
// a macro, so neither the keyword nor the name is in the file. Stopped by the
// preprocessed source (`__asm__`) and the object (the annotation it calls).
#include <cstddef>
#include <vector>

#include "primitives/thread.h"

#define JOIN(a, b) a##b
#define LABEL(text) JOIN(__as, m__)(text)
extern "C" void look_away(const char* file, int line) LABEL("Annotate" "IgnoreWritesBegin");

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    look_away(__FILE__, __LINE__);
    first_half = sum;
  });
  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];
  long total = first_half + second_half;
  worker.join();
  return total;
}

}  // namespace exercise
